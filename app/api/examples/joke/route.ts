// Example: a paid GET route. One line prices it; the handler is ordinary.
import { withPayment } from '@/lib/gate/with-payment'

const jokes = [
  'Why did the agent pay $0.01? Because the server said 402, and it was in no position to argue.',
  'A 402 walks into a bar. The bartender says: that will be one challenge, please.',
  'How many HTTP status codes does it take to sell a joke? Two: 402, then 200.',
]

export const GET = withPayment(
  () => {
    const joke = jokes[Math.floor(Math.random() * jokes.length)]
    return Response.json({ joke })
  },
  { amount: '0.01', description: 'A joke, freshly told' },
)
