// The server's own account: signs a call, lets the caller record its hash durably, then broadcasts.
// Sign-record-send runs one at a time per process, and under the caller's lock across processes
// sharing the key, so nonces do not collide; a nonce taken anyway (another user of the key, a
// lagging node) is detected from the node's answer and retried with the next.
import { type Address, BaseError, type Hex, type PublicClient, TransactionNotFoundError, keccak256 } from 'viem'
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

/** Exclusion shared by every process that signs with `account` (e.g. a database lock). */
export type SettlerLock = <T>(account: Address, task: () => Promise<T>) => Promise<T>

export type CreateSettlerOptions = { lock?: SettlerLock }

const maxNonceAttempts = 5

export function createSettler(publicClient: PublicClient, privateKey: Hex, options: CreateSettlerOptions = {}): Settler {
  const account: PrivateKeyAccount = privateKeyToAccount(privateKey)
  const lock: SettlerLock = options.lock ?? ((_, task) => task())
  let queue: Promise<unknown> = Promise.resolve()
  // Highest nonce this process has handed to the node, so a lagging `pending` count is not reused.
  let nextNonce: number | undefined

  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task)
    queue = run.catch(() => undefined)
    return run
  }

  /** Gas and fees do not depend on the nonce: they are worked out before this send takes its turn. */
  async function prepare(call: { to: Address; data: Hex }) {
    try {
      return await publicClient.prepareTransactionRequest({
        account,
        chain: publicClient.chain,
        to: call.to,
        data: call.data,
        type: 'eip1559',
        parameters: ['chainId', 'fees', 'gas', 'type'],
      })
    } catch (error) {
      // Gas estimation runs the call: a revert here means the payment itself would fail.
      if (isTransportFailure(error)) throw error
      if (/insufficient funds/.test(nodeMessage(error)))
        throw new NotBroadcastError('the settler account cannot pay for gas', true, { cause: error })
      throw new NotBroadcastError(`the settlement transaction would fail: ${revertReason(error)}`, false, { cause: error })
    }
  }

  /** Nonce -> sign -> record -> send, while holding this account's turn. */
  async function sendInTurn(request: Awaited<ReturnType<typeof prepare>>, onSigned: (txHash: Hex) => Promise<void>) {
    for (let attempt = 1; ; attempt++) {
      const pending = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' })
      const nonce = Math.max(pending, nextNonce ?? 0)
      const raw = await account.signTransaction({ ...request, nonce })
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
          // Only the answer may have been lost: if the node has the transaction, it was broadcast.
          if (await isKnown(txHash, error)) {
            nextNonce = nonce + 1
            return txHash
          }
          throw new MaybeBroadcastError(txHash, { cause: error })
        }
        if (/nonce too low|replacement transaction underpriced|nonce.*(already|used)/.test(message)) {
          // A send retried by the transport after a lost answer hears this about its own first try.
          if (await isKnown(txHash, error)) {
            nextNonce = nonce + 1
            return txHash
          }
          // Another user of the key took this nonce: ours can never be mined, sign the next one.
          nextNonce = nonce + 1
          if (attempt < maxNonceAttempts) continue
          throw new NotBroadcastError('the settler account is busy: every nonce it tried was taken', true, { cause: error })
        }
        if (/insufficient funds/.test(message))
          throw new NotBroadcastError('the settler account cannot pay for gas', true, { cause: error })
        throw new NotBroadcastError(`the node rejected the settlement transaction: ${firstLine(message)}`, false, { cause: error })
      }
    }
  }

  /** Whether the node has `txHash`, pending or mined. Unanswerable -> MaybeBroadcastError (with the send's error). */
  async function isKnown(txHash: Hex, sendError: unknown): Promise<boolean> {
    try {
      await publicClient.getTransaction({ hash: txHash })
      return true
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false
      throw new MaybeBroadcastError(txHash, { cause: sendError })
    }
  }

  return {
    address: account.address,
    submit: async (call, onSigned) => {
      const request = await prepare(call)
      return exclusive(() => lock(account.address, () => sendInTurn(request, onSigned)))
    },
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
