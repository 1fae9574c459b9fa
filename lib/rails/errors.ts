// Failures every rail shares, so the gate can handle them without knowing the rail.
import { InvalidChallengeError, type Options } from '@/lib/protocol/Problem'

/**
 * The payment this credential names was already claimed. Still `invalid-challenge` on the wire;
 * the replay key lets the gate find what the first attempt left (a payment to re-deliver after a
 * crash or a failed delivery, or a receipt to point at).
 */
export class SettlementReplayError extends InvalidChallengeError {
  override name = 'SettlementReplayError'
  readonly replayKey: string

  constructor(detail: string, replayKey: string, options?: Options) {
    super(detail, options)
    this.replayKey = replayKey
  }
}

/** A rail cannot reach its network right now (the chain's RPC, the settler account, Stripe): 503 with Retry-After, nothing recorded. */
export class RailUnavailableError extends Error {
  override name = 'RailUnavailableError'
  readonly status = 503
  /** Suggested `Retry-After` in seconds. */
  readonly retryAfterSeconds: number
  /** What the client is told; never contains an RPC URL (it may embed an API key), a key or a credential. */
  readonly detail: string

  constructor(detail: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(detail, { cause: options.cause })
    this.detail = detail
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5
  }
}

export function isRailUnavailable(error: unknown): error is RailUnavailableError {
  return error instanceof RailUnavailableError
}
