// Why a connection Tollgate makes on a merchant's behalf did not happen. Messages are written for the
// merchant (the dashboard and the delivery log show them) and never hold more than the URL's host.

/** The policy forbids the destination: nothing was sent to it. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError'
}

/** The destination was allowed but could not be reached, or answered something that is not HTTP. */
export class OutboundFailedError extends Error {
  override name = 'OutboundFailedError'
  constructor(
    message: string,
    /** 'timeout': no answer in time; 'cancelled': the caller's signal aborted; 'failed': anything else. */
    readonly reason: 'failed' | 'timeout' | 'cancelled' = 'failed',
  ) {
    super(message)
  }
}
