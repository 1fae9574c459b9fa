// A Server-Sent Events response billed by the unit on the session channel that paid the request: each event
// is charged before it is written (the paying request's reservation first); when the balance runs out the
// stream writes `payment-need-voucher`, pauses, and resumes once a voucher arrives on the same URL; it always
// ends with a `payment-receipt` event (the receipt is in the response headers too, added by the transport).
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Sse from '@/lib/protocol/Sse'
import type { SessionMeter } from '../session-meter'

export type MeteredEvent = {
  data: string
  event?: string
  id?: string
  /** Units this event costs (default 1), e.g. its tokens. */
  units?: number
}

export type MeteredStreamOptions = {
  /** How long a paused stream waits for a voucher before it ends with its receipt (default 60 s). */
  voucherTimeoutMs?: number
  /** The request's own signal: a client that goes away stops the stream. */
  signal?: AbortSignal
}

export function meteredEventStream(meter: SessionMeter, events: AsyncIterable<MeteredEvent>, options: MeteredStreamOptions = {}): Response {
  const encoder = new TextEncoder()
  const stop = new AbortController()
  options.signal?.addEventListener('abort', () => stop.abort(), { once: true })
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (event: { event?: string; data: string; id?: string }) => {
        if (!stop.signal.aborted) controller.enqueue(encoder.encode(Sse.format(event)))
      }
      let prepaid = meter.reserved
      let charged = meter.reserved
      try {
        for await (const event of events) {
          if (stop.signal.aborted) break
          const units = event.units ?? 1
          const fromReservation = Math.min(prepaid, units)
          prepaid -= fromReservation
          const more = units - fromReservation
          if (more > 0) {
            const paid = await meter.charge(more, {
              signal: stop.signal,
              ...(options.voucherTimeoutMs !== undefined ? { timeoutMs: options.voucherTimeoutMs } : {}),
              onNeedVoucher: (need) =>
                write({ event: EvmSession.Events.needVoucherEvent, data: EvmSession.Events.formatNeedVoucher(need) }),
            })
            if (!paid.ok) break
            charged += more
          }
          write({ data: event.data, ...(event.event ? { event: event.event } : {}), ...(event.id ? { id: event.id } : {}) })
        }
        const receipt = await meter.finalReceipt(charged)
        write({ event: EvmSession.Events.receiptEvent, data: EvmSession.Events.formatReceipt(receipt) })
      } catch (error) {
        // What was charged stays charged (it was delivered); the client sees the stream end without a final receipt.
        if (!stop.signal.aborted) console.error(`metered stream on ${meter.channelId}: ${error instanceof Error ? error.name : 'error'}`)
      }
      if (!stop.signal.aborted) controller.close()
    },
    cancel() {
      stop.abort()
    },
  })
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
  })
}
