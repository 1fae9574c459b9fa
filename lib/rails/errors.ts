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
