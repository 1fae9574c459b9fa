// Tells "the node could not be reached" apart from "the node answered no", for viem errors.
import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  RpcRequestError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
} from 'viem'
import { RailUnavailableError } from '../Errors'

/** True when the request may not have reached the node, or its answer was lost. */
export function isTransportFailure(error: unknown): boolean {
  if (error instanceof RailUnavailableError) return true
  if (error instanceof BaseError)
    return Boolean(
      error.walk(
        (e) =>
          e instanceof HttpRequestError ||
          e instanceof TimeoutError ||
          e instanceof WebSocketRequestError ||
          e instanceof SocketClosedError,
      ),
    )
  // fetch() itself failing (ECONNREFUSED, DNS) before viem wrapped it.
  return error instanceof TypeError && /fetch failed/i.test(error.message)
}

/** Runs a read against the node; a transport failure becomes RailUnavailableError (503). */
export async function read<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (isTransportFailure(error)) throw unavailable(what, error)
    throw error
  }
}

export function unavailable(what: string, cause: unknown): RailUnavailableError {
  if (cause instanceof RailUnavailableError) return cause
  return new RailUnavailableError(`the chain's RPC endpoint is unavailable (${what}); try again shortly`, { cause })
}

/** The revert reason of a failed call or simulation, safe to show a client (no URLs, no request bodies). */
export function revertReason(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError)
      return reverted.reason ?? reverted.data?.errorName ?? 'execution reverted without a reason'
    const rpc = error.walk((e) => e instanceof RpcRequestError)
    if (rpc instanceof RpcRequestError) return rpc.shortMessage.split('\n')[0] ?? 'the node rejected the call'
    return error.shortMessage.split('\n')[0] ?? 'the call failed'
  }
  return 'the call failed'
}
