// Example: a stream billed per token over a session channel (MPP `evm`/`session`). The payer opens a channel
// once; each token is charged before it is sent; when the channel's vouchers run out the stream asks for
// another (`payment-need-voucher`), waits, and goes on when one arrives with HEAD on this URL.
import { meteredEventStream } from '@/lib/gate/http/metered-stream'
import { sessionMeterOf } from '@/lib/gate/session-meter'
import { withPayment } from '@/lib/gate/with-payment'

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

export const GET = withPayment(
  (request) => {
    const meter = sessionMeterOf(request)
    // Sold only as a session: a request without a meter was not paid by one.
    if (!meter) return Response.json({ error: 'pay this stream with an evm/session channel' }, { status: 402 })
    const asked = Number(new URL(request.url).searchParams.get('tokens') ?? 40)
    const count = Number.isInteger(asked) && asked > 0 ? Math.min(asked, maxTokens) : 40
    return meteredEventStream(meter, tokens(count, request.signal), { signal: request.signal })
  },
  {
    amount: '0.0001',
    description: 'A streamed answer, billed per token',
    session: { unitType: 'llm_token', suggestedDeposit: '0.10', minVoucherDelta: '0.001' },
  },
)
