// How a signed transaction reaches the node. Where the node has eth_sendRawTransactionSync (EIP-7966)
// its answer carries the receipt, which saves the polling; elsewhere eth_sendRawTransaction. Sending
// the same signed bytes again is harmless (the node answers "already known"), so whenever the sync
// method turns out to be missing the same transaction is simply sent the ordinary way.
import {
  BaseError,
  type Hex,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  type PublicClient,
  RpcRequestError,
  type TransactionReceipt,
  formatTransactionReceipt,
} from 'viem'

export type Accepted = {
  /** The receipt the node sent with its answer, or undefined when it did not (then poll for it). Never rejects. */
  receipt: Promise<TransactionReceipt | undefined>
  /** EIP-7966 code 5: the node holds the transaction but cannot run it yet (a nonce gap or no gas money). */
  notReady?: boolean
}

export type SendOptions = {
  /** Whether another send waits for this one's turn; only then is the node's pool asked before its answer. */
  othersWaiting?: () => boolean
}

export type Broadcaster = {
  /**
   * Resolves once the node holds the transaction, which is when the settler's turn may end; the
   * receipt may come later. Throws the node's refusal or the transport's failure, as
   * eth_sendRawTransaction would (the caller tells them apart).
   */
  send(serialized: Hex, txHash: Hex, options?: SendOptions): Promise<Accepted>
}

/** EIP-7966: "added to the mempool but not processed in time" and "added but not ready". */
const syncTimeoutCode = 4
const syncNotReadyCode = 5

export function createBroadcaster(publicClient: PublicClient): Broadcaster {
  // Learned from the first sends, not probed (a probe would be a send no operator expects): true once
  // the node answered a sync send, false once it said it lacks the method.
  let sync: boolean | undefined

  async function sendSync(serialized: Hex, txHash: Hex, othersWaiting: () => boolean): Promise<Accepted | 'send plainly'> {
    let answered = false
    const answer = publicClient.request({ method: 'eth_sendRawTransactionSync', params: [serialized] }, { retryCount: 0 }).then(
      (receipt) => ({ receipt: formatTransactionReceipt(receipt) }),
      (error: unknown) => ({ error }),
    )
    void answer.then(() => (answered = true))
    const first = await Promise.race([answer, heldByNode(txHash, () => answered, othersWaiting)])
    if (first === 'held') return { receipt: answer.then((a) => ('receipt' in a ? a.receipt : undefined)) }
    if ('receipt' in first) {
      sync = true
      return { receipt: Promise.resolve(first.receipt) }
    }
    const { error } = first
    const code = rpcCodeOf(error)
    if (code === syncTimeoutCode) return { receipt: Promise.resolve(undefined) }
    if (code === syncNotReadyCode) return { receipt: Promise.resolve(undefined), notReady: true }
    if (isMethodMissing(error)) {
      sync = false
      return 'send plainly'
    }
    // Until the node has answered one sync send, any failure may mean "no such method" in a provider's
    // own words: the plain send of the same bytes gives the answer to trust ("already known" if it went through).
    if (sync === undefined) return 'send plainly'
    throw error
  }

  /**
   * While the node waits for a block before answering, its pool already holding the transaction is
   * what ends the sender's turn (as eth_sendRawTransaction's answer would). Never resolves otherwise.
   */
  async function heldByNode(txHash: Hex, answered: () => boolean, othersWaiting: () => boolean): Promise<'held'> {
    let delay = 5
    for (let check = 0; check < 12; check++) {
      await new Promise((resolve) => setTimeout(resolve, delay))
      if (answered()) break
      delay = Math.min(delay * 2, 1_000)
      if (!othersWaiting()) continue
      try {
        await publicClient.getTransaction({ hash: txHash })
        return 'held'
      } catch {
        // Not in the pool yet (or the node is unreachable): the send's own answer decides.
      }
    }
    return new Promise<never>(() => {})
  }

  return {
    async send(serialized, txHash, options = {}) {
      if (sync !== false) {
        const accepted = await sendSync(serialized, txHash, options.othersWaiting ?? (() => true))
        if (accepted !== 'send plainly') return accepted
      }
      await publicClient.sendRawTransaction({ serializedTransaction: serialized })
      return { receipt: Promise.resolve(undefined) }
    },
  }
}

/** The node does not know the method (JSON-RPC -32601/-32004, or a provider saying so in words). */
export function isMethodMissing(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false
  if (error.walk((e) => e instanceof MethodNotFoundRpcError || e instanceof MethodNotSupportedRpcError)) return true
  const said = `${error.shortMessage} ${error.details ?? ''}`
  return /method.{0,60}(not (found|supported|available|allowed|whitelisted)|does not exist|unsupported)|(unsupported|unknown) method/i.test(
    said,
  )
}

function rpcCodeOf(error: unknown): number | undefined {
  if (!(error instanceof BaseError)) return undefined
  const rpc = error.walk((e) => e instanceof RpcRequestError)
  return rpc instanceof RpcRequestError ? rpc.code : undefined
}
