// The server's own account: signs a call, lets the caller record its hash durably, then broadcasts.
// Sign-record-send runs one at a time per process so the account's nonces never collide here;
// a nonce taken by another process is detected from the node's answer and retried with the next.
import { type Address, BaseError, type Hex, type PublicClient, keccak256 } from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { isTransportFailure, revertReason } from './rpc'

/** The node refused the transaction: it is certainly not in any mempool. */
export class NotBroadcastError extends Error {
  override name = 'NotBroadcastError'
  constructor(
    readonly reason: string,
    /** True when the server is at fault (e.g. the settler has no gas money), not the payer. */
    readonly settlerFault: boolean,
    options?: { cause?: unknown },
  ) {
    super(reason, options)
  }
}

/** The send may or may not have reached the node; only the chain can tell later. */
export class MaybeBroadcastError extends Error {
  override name = 'MaybeBroadcastError'
  constructor(
    readonly txHash: Hex,
    options?: { cause?: unknown },
  ) {
    super(`broadcast of ${txHash} has an unknown outcome`, options)
  }
}

export type Settler = {
  address: Address
  /**
   * Signs `call` from the settler account, awaits `onSigned(hash)` (record it before it can be
   * mined), then broadcasts. Resolves with the hash that the node accepted.
   * Throws NotBroadcastError, MaybeBroadcastError, or whatever onSigned or signing threw.
   */
  submit(call: { to: Address; data: Hex }, onSigned: (txHash: Hex) => Promise<void>): Promise<Hex>
}

const maxNonceAttempts = 3

export function createSettler(publicClient: PublicClient, privateKey: Hex): Settler {
  const account: PrivateKeyAccount = privateKeyToAccount(privateKey)
  let queue: Promise<unknown> = Promise.resolve()
  // Highest nonce this process has handed to the node, so a lagging `pending` count is not reused.
  let nextNonce: number | undefined

  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task)
    queue = run.catch(() => undefined)
    return run
  }

  async function signAt(call: { to: Address; data: Hex }, nonce: number): Promise<Hex> {
    const request = await publicClient.prepareTransactionRequest({
      account,
      chain: publicClient.chain,
      to: call.to,
      data: call.data,
      nonce,
      type: 'eip1559',
    })
    return account.signTransaction(request)
  }

  async function submitOnce(call: { to: Address; data: Hex }, onSigned: (txHash: Hex) => Promise<void>) {
    for (let attempt = 1; ; attempt++) {
      const pending = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' })
      const nonce = Math.max(pending, nextNonce ?? 0)
      let raw: Hex
      try {
        raw = await signAt(call, nonce)
      } catch (error) {
        // Gas estimation runs the call: a revert here means the payment itself would fail.
        if (isTransportFailure(error)) throw error
        if (/insufficient funds/.test(nodeMessage(error)))
          throw new NotBroadcastError('the settler account cannot pay for gas', true, { cause: error })
        throw new NotBroadcastError(`the settlement transaction would fail: ${revertReason(error)}`, false, { cause: error })
      }
      const txHash = keccak256(raw)
      await onSigned(txHash)
      try {
        await publicClient.sendRawTransaction({ serializedTransaction: raw })
        nextNonce = nonce + 1
        return txHash
      } catch (error) {
        const message = nodeMessage(error)
        // The node already holds this exact transaction: it was broadcast.
        if (/already known|already imported/.test(message)) {
          nextNonce = nonce + 1
          return txHash
        }
        if (isTransportFailure(error)) {
          // Trust the node's count next time rather than risk a nonce gap that stalls every later send.
          nextNonce = undefined
          throw new MaybeBroadcastError(txHash, { cause: error })
        }
        if (/nonce too low|replacement transaction underpriced|nonce.*(already|used)/.test(message) && attempt < maxNonceAttempts) {
          nextNonce = nonce + 1
          continue
        }
        if (/insufficient funds/.test(message))
          throw new NotBroadcastError('the settler account cannot pay for gas', true, { cause: error })
        throw new NotBroadcastError(`the node rejected the settlement transaction: ${firstLine(message)}`, false, { cause: error })
      }
    }
  }

  return {
    address: account.address,
    submit: (call, onSigned) => exclusive(() => submitOnce(call, onSigned)),
  }
}

/** Everything the node said, lower-cased, across viem's error chain. */
export function nodeMessage(error: unknown): string {
  const parts: string[] = []
  if (error instanceof BaseError) {
    error.walk((e) => {
      if (e instanceof BaseError && e.details) parts.push(e.details)
      else if (e instanceof Error) parts.push(e.message)
      return false
    })
  } else if (error instanceof Error) parts.push(error.message)
  return parts.join(' | ').toLowerCase()
}

function firstLine(text: string): string {
  return (text.split(/\n| \| /)[0] ?? text).slice(0, 200)
}
