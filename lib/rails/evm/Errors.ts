// Failures of the rail itself (not of the payer's credential): the gate answers 503, not 402.

/** The chain's RPC endpoint (or the settler account) cannot serve right now; the client may retry. */
export class RailUnavailableError extends Error {
  override name = 'RailUnavailableError'
  readonly status = 503
  /** Suggested `Retry-After` in seconds. */
  readonly retryAfterSeconds: number
  /** What the client is told; never contains the RPC URL (it may embed an API key) or a credential. */
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
