// Example: a stream billed per token over a session channel (MPP `evm`/`session`). The payer opens a channel
// once; each token is charged before it is sent; when the channel's vouchers run out the stream asks for
// another (`payment-need-voucher`), waits, and goes on when one arrives with HEAD on this URL.
import { meteredEventStream } from '@/lib/gate/http/metered-stream'
import { sessionMeterOf } from '@/lib/gate/session-meter'
import { withPayment } from '@/lib/gate/with-payment'
import * as Sse from '@/lib/protocol/Sse'

const answer =
  'A payment channel is a deposit held by an escrow contract. The payer signs a voucher for the running total, the server checks it with one signature recovery and no transaction, and redeems the best one on chain when it chooses. Streams pay as they go: when the vouchers run out, the server asks for the next one and waits.'

/** How many tokens one request may ask for (`?tokens=`). */
const maxTokens = 200

async function* tokens(count: number, signal: AbortSignal) {
  const words = answer.split(' ')
  for (let i = 0; i < count && !signal.aborted; i++) {
    yield { data: JSON.stringify({ token: `${words[i % words.length]} `, index: i }) }
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

function unmetered(events: AsyncIterable<{ data: string }>): Response {
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for await (const event of events) controller.enqueue(encoder.encode(Sse.format(event)))
      controller.close()
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } })
}

export const GET = withPayment(
  (request) => {
    const asked = Number(new URL(request.url).searchParams.get('tokens') ?? 40)
    const count = Number.isInteger(asked) && asked > 0 ? Math.min(asked, maxTokens) : 40
    const meter = sessionMeterOf(request)
    // Only a session meters; were a per-call rail added to the price, its payment would buy the whole answer.
    if (!meter) return unmetered(tokens(count, request.signal))
    return meteredEventStream(meter, tokens(count, request.signal), { signal: request.signal })
  },
  {
    amount: '0.0001',
    description: 'A streamed answer, billed per token',
    session: { unitType: 'llm_token', suggestedDeposit: '0.10', minVoucherDelta: '0.001' },
  },
)
