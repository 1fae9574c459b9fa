// The server's own account: signs a call, lets the caller record its hash durably, then broadcasts.
// Sign-record-send runs one at a time per process, and under the caller's lock across processes
// sharing the key, so nonces do not collide; a nonce taken anyway (another user of the key, a
// lagging node) is detected from the node's answer and retried with the next one the node reports.
import {
  type Address,
  BaseError,
  type Hex,
  type PublicClient,
  TransactionNotFoundError,
  type TransactionReceipt,
  type TransactionSerializableEIP1559,
  keccak256,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { type Broadcaster, createBroadcaster } from './Broadcaster'
import type { Fees } from './fees'
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

/** A call to submit; `gas` and `fees` when the verification already worked them out (else they are estimated here). */
export type SettlerCall = { to: Address; data: Hex; gas?: bigint; fees?: Fees }

export type Submitted = {
  /** The hash the node accepted. */
  txHash: Hex
  /** The receipt when the node sent it with its answer (EIP-7966), else undefined: poll for it. Never rejects. */
  receipt: Promise<TransactionReceipt | undefined>
}

export type Settler = {
  address: Address
  /**
   * Signs `call` from the settler account, awaits `onSigned(hash)` (record it before it can be
   * mined), then broadcasts. Resolves once the node holds the transaction.
   * Throws NotBroadcastError, MaybeBroadcastError, or whatever onSigned or signing threw.
   */
  submit(call: SettlerCall, onSigned: (txHash: Hex) => Promise<void>): Promise<Submitted>
  /** Forgets the nonce kept in memory (a transaction of ours may have left the node's pool): the next turn asks the node. */
  forgetNonce(): void
}

/** Exclusion shared by every process that signs with `account` (e.g. a database lock). */
export type SettlerLock = <T>(account: Address, task: () => Promise<T>) => Promise<T>

export type CreateSettlerOptions = {
  lock?: SettlerLock
  /**
   * True when other processes sign with this key between our turns (the lock spans processes): the
   * nonce is then read from the node in every turn. Otherwise it is kept in memory after the first
   * read, and a "nonce too low" (someone else used the key) sends the next one the node reports.
   */
  sharedKey?: boolean
  broadcaster?: Broadcaster
  /**
   * Settlers made with the same key here share one turn and one nonce count in the process (Next builds the
   * route handlers and instrumentation.ts as separate module graphs, each with its own rail: the charge
   * settlements of the routes and the session jobs must not sign the same nonce). Name the key and the node.
   */
  processKey?: string
}

/** A key's turn in this process: sends waiting behind it, and the next nonce after the last the node accepted. */
type Turn = { queue: Promise<unknown>; waiting: number; nextNonce: number | undefined }

const processTurns = ((globalThis as unknown as { __tollgateSettlerTurns?: Map<string, Turn> }).__tollgateSettlerTurns ??= new Map())

function turnFor(processKey: string | undefined): Turn {
  if (processKey === undefined) return { queue: Promise.resolve(), waiting: 0, nextNonce: undefined }
  let turn = processTurns.get(processKey)
  if (!turn) processTurns.set(processKey, (turn = { queue: Promise.resolve(), waiting: 0, nextNonce: undefined }))
  return turn
}

const maxNonceAttempts = 5

export function createSettler(publicClient: PublicClient, privateKey: Hex, options: CreateSettlerOptions = {}): Settler {
  const account: PrivateKeyAccount = privateKeyToAccount(privateKey)
  const lock: SettlerLock = options.lock ?? ((_, task) => task())
  const broadcaster = options.broadcaster ?? createBroadcaster(publicClient)
  // Sends queued behind the running turn, and the next nonce after the last one the node accepted from this
  // process (so a lagging `pending` count is not reused).
  const turn = turnFor(options.processKey)

  const pendingCount = () => publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' })

  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = turn.queue.then(task, task)
    turn.queue = run.catch(() => undefined)
    return run
  }

  /** Gas and fees do not depend on the nonce: they are worked out before this send takes its turn. */
  async function prepare(call: SettlerCall): Promise<Omit<TransactionSerializableEIP1559, 'nonce'>> {
    const chainId = publicClient.chain?.id
    if (call.gas !== undefined && call.fees && chainId !== undefined)
      return { type: 'eip1559', chainId, to: call.to, data: call.data, gas: call.gas, ...call.fees }
    try {
      const request = await publicClient.prepareTransactionRequest({
        account,
        chain: publicClient.chain,
        to: call.to,
        data: call.data,
        type: 'eip1559',
        parameters: ['chainId', 'fees', 'gas', 'type'],
      })
      return {
        type: 'eip1559',
        chainId: request.chainId,
        to: call.to,
        data: call.data,
        gas: request.gas,
        maxFeePerGas: request.maxFeePerGas,
        maxPriorityFeePerGas: request.maxPriorityFeePerGas,
      }
    } catch (error) {
      // Gas estimation runs the call: a revert here means the payment itself would fail.
      if (isTransportFailure(error)) throw error
      if (/insufficient funds/.test(nodeMessage(error)))
        throw new NotBroadcastError('the settler account cannot pay for gas', true, { cause: error })
      throw new NotBroadcastError(`the settlement transaction would fail: ${revertReason(error)}`, false, { cause: error })
    }
  }

  /** Nonce -> sign -> record -> send, while holding this account's turn. */
  async function sendInTurn(request: Omit<TransactionSerializableEIP1559, 'nonce'>, onSigned: (txHash: Hex) => Promise<void>) {
    let nonce = options.sharedKey || turn.nextNonce === undefined ? Math.max(await pendingCount(), turn.nextNonce ?? 0) : turn.nextNonce
    for (let attempt = 1; ; attempt++) {
      const raw = await account.signTransaction({ ...request, nonce })
      const txHash = keccak256(raw)
      await onSigned(txHash)
      try {
        // Other instances may wait for the key's lock unseen, so with a shared key the turn always ends early.
        const accepted = await broadcaster.send(raw, txHash, { othersWaiting: () => options.sharedKey === true || turn.waiting > 0 })
        // Held but not runnable (EIP-7966 code 5): our count may be ahead of the node's, so ask it next time.
        turn.nextNonce = accepted.notReady ? undefined : nonce + 1
        return { txHash, receipt: accepted.receipt }
      } catch (error) {
        const message = nodeMessage(error)
        // The node already holds this exact transaction: it was broadcast.
        if (/already known|already imported/.test(message)) {
          turn.nextNonce = nonce + 1
          return { txHash, receipt: Promise.resolve(undefined) }
        }
        if (isTransportFailure(error)) {
          // Trust the node's count next time rather than risk a nonce gap that stalls every later send.
          turn.nextNonce = undefined
          // Only the answer may have been lost: if the node has the transaction, it was broadcast.
          if (await isKnown(txHash, error)) {
            turn.nextNonce = nonce + 1
            return { txHash, receipt: Promise.resolve(undefined) }
          }
          throw new MaybeBroadcastError(txHash, { cause: error })
        }
        if (/nonce too low|replacement transaction underpriced|nonce.*(already|used)/.test(message)) {
          // A send retried by the transport after a lost answer hears this about its own first try.
          if (await isKnown(txHash, error)) {
            turn.nextNonce = nonce + 1
            return { txHash, receipt: Promise.resolve(undefined) }
          }
          // Another user of the key took this nonce: ours can never be mined; sign the next one the node knows of.
          turn.nextNonce = undefined
          if (attempt >= maxNonceAttempts)
            throw new NotBroadcastError('the settler account is busy: every nonce it tried was taken', true, { cause: error })
          nonce = Math.max(await pendingCount(), nonce + 1)
          continue
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
      turn.waiting++
      return exclusive(() => {
        turn.waiting--
        return lock(account.address, () => sendInTurn(request, onSigned))
      })
    },
    forgetNonce: () => {
      turn.nextNonce = undefined
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
