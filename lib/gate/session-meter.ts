// Metering a paid stream on its session channel (draft-evm-session-00, Insufficient Balance During
// Streaming): each unit is charged in one conditional statement before it is delivered; when the accepted
// vouchers do not cover it, the stream says which voucher it needs and waits until one arrives on the same
// URL — in this process (a notification) or through another instance (the database, polled).
import type { Hex } from 'viem'
import type * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Problem from '@/lib/protocol/Problem'
import type * as SessionRail from '@/lib/rails/evm/session'

/** What an `evm/session` payment hands its delivery (Accepted.context): the channel to meter a stream on. */
export type SessionPayment = {
  kind: 'evm-session'
  sessions: SessionRail.SessionRail
  channelId: Hex
  challengeId: string
  /** The challenge's price of one unit, base units. */
  amountPerUnit: bigint
  /** Units this request was charged (a stream's reservation). */
  units: number
  receipt: EvmSession.Receipt.Receipt
}

/** Waiters per channel, shared by every module graph of the process (route bundles, instrumentation). */
const state = globalThis as unknown as { __tollgateBalanceWaiters?: Map<string, Set<() => void>> }
const waiters = (state.__tollgateBalanceWaiters ??= new Map())

/** A voucher or top-up was accepted on `channelId`: wake the streams paused on it. */
export function notifyBalanceChanged(channelId: string): void {
  const set = waiters.get(channelId.toLowerCase())
  if (!set) return
  for (const wake of [...set]) wake()
}

/** Resolves when the channel's balance may have changed, after `ms` at most, or when `signal` aborts. */
function balanceChange(channelId: string, ms: number, signal?: AbortSignal): Promise<void> {
  const key = channelId.toLowerCase()
  return new Promise((resolve) => {
    let set = waiters.get(key)
    if (!set) waiters.set(key, (set = new Set()))
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      set!.delete(done)
      if (set!.size === 0) waiters.delete(key)
      resolve()
    }
    const timer = setTimeout(done, ms)
    set.add(done)
    signal?.addEventListener('abort', done, { once: true })
  })
}

export type MeterCharge =
  | { ok: true; receipt: EvmSession.Receipt.Receipt }
  /** The channel is closed, closing or force-closed by its payer: stop delivering. */
  | { ok: false; reason: 'channel-finalized' }
  /** No voucher came while the stream waited. */
  | { ok: false; reason: 'timeout' }
  | { ok: false; reason: 'aborted' }

export type SessionMeter = {
  readonly channelId: Hex
  readonly challengeId: string
  /** Units the paying request already charged (the stream's reservation), to deliver before charging more. */
  readonly reserved: number
  /** The receipt of the paying request (also in the response's headers). */
  readonly receipt: EvmSession.Receipt.Receipt
  /**
   * Charges `units` before they are delivered. When the balance does not cover them, `onNeedVoucher` is called
   * with the `payment-need-voucher` data (once per pause) and the charge waits for a voucher.
   */
  charge(
    units: number,
    options: { onNeedVoucher: (need: EvmSession.Events.NeedVoucher) => void; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<MeterCharge>
  /** The channel's balances now, for the final `payment-receipt` event; `units` is what the whole stream charged. */
  finalReceipt(units: number): Promise<EvmSession.Receipt.Receipt>
}

/** How long a paused stream waits for a voucher before it ends (the client may have gone away). */
export const defaultVoucherTimeoutMs = 60_000
/** How often a paused stream looks at the database for a voucher another instance accepted. */
const pollMs = 250

export function createSessionMeter(payment: SessionPayment): SessionMeter {
  const { sessions, channelId, challengeId, amountPerUnit } = payment
  return {
    channelId,
    challengeId,
    reserved: payment.units,
    receipt: payment.receipt,
    async charge(units, options) {
      const deadline = Date.now() + (options.timeoutMs ?? defaultVoucherTimeoutMs)
      let asked = false
      for (;;) {
        if (options.signal?.aborted) return { ok: false, reason: 'aborted' }
        let result: Awaited<ReturnType<typeof sessions.charge>>
        try {
          result = await sessions.charge({ channelId, units, amountPerUnit, challengeId })
        } catch (error) {
          if (Problem.is(error) && (error.code === 'session/channel-finalized' || error.code === 'session/channel-not-found'))
            return { ok: false, reason: 'channel-finalized' }
          throw error
        }
        if (result.ok) return result
        if (!asked) options.onNeedVoucher(result.needVoucher)
        asked = true
        const left = deadline - Date.now()
        if (left <= 0) return { ok: false, reason: 'timeout' }
        await balanceChange(channelId, Math.min(pollMs, left), options.signal)
      }
    },
    finalReceipt: (units) => sessions.receiptFor({ channelId, challengeId, units }),
  }
}

const meters = new WeakMap<Request, SessionMeter>()

/** Hands a route handler the meter of the session that paid its request (withPayment does this). */
export function attachSessionMeter(request: Request, meter: SessionMeter): void {
  meters.set(request, meter)
}

/** The meter of the session channel that paid this request; null when it was not paid by a session. */
export function sessionMeterOf(request: Request): SessionMeter | null {
  return meters.get(request) ?? null
}
