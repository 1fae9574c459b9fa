// Example: a paid POST route with a JSON body. The body is bound to the challenge by its digest,
// so a credential paid for one body cannot be spent on another.
import { z } from 'zod'
import { withPayment } from '@/lib/gate/with-payment'

const Input = z.object({ text: z.string().min(1).max(20_000) })

export const POST = withPayment(
  async (request) => {
    const parsed = Input.safeParse(await request.json().catch(() => null))
    if (!parsed.success) return Response.json({ error: 'send {"text": "..."}' }, { status: 400 })
    const sentences = parsed.data.text.split(/(?<=[.!?])\s+/).filter(Boolean)
    const words = parsed.data.text.split(/\s+/).filter(Boolean).length
    return Response.json({ summary: sentences.slice(0, 2).join(' '), sentences: sentences.length, words })
  },
  { amount: '0.02', description: 'Summarize a text' },
)
