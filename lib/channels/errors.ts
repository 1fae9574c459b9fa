// Failures of the dashboard's session channel actions, as application errors (lib/errors).
import { AppError, NotFoundError } from '@/lib/errors/app-error'

/** Also what another merchant's channel ids give: "not yours" and "does not exist" look the same. */
export class ChannelNotFoundError extends NotFoundError {
  override name = 'ChannelNotFoundError'
  constructor() {
    super('channel')
  }
}

export class ChannelClosedError extends AppError {
  override name = 'ChannelClosedError'
  constructor(reason: string) {
    super('channel_closed', reason)
  }
}

export class ChannelBusyError extends AppError {
  override name = 'ChannelBusyError'
  constructor() {
    super('channel_busy', 'a settlement or close of this channel is already on its way; refresh in a few seconds')
  }
}

export class SessionsUnavailableError extends AppError {
  override name = 'SessionsUnavailableError'
  constructor(reason = 'sessions need EVM_ESCROW_ADDRESS and the chain to be reachable from this server') {
    super('sessions_unavailable', reason)
  }
}

export class ChannelActionFailedError extends AppError {
  override name = 'ChannelActionFailedError'
  constructor(reason: string) {
    super('channel_action_failed', `the escrow refused: ${reason}`)
  }
}
