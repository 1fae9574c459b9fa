// A stripe offer with time left: the page's own when fresh, otherwise a new one from the priced URL.
import { isFresh, readOffers, type StripeOffer } from '@/lib/checkout/offers'

/** Leaves the payer this long to type a card and pass 3-D Secure before the challenge lapses. */
const marginMs = 60_000

export async function freshStripeOffer(offer: StripeOffer, target: string): Promise<StripeOffer> {
  if (isFresh(offer, Date.now(), marginMs)) return offer
  const response = await fetch(target, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
  const renewed = response.status === 402 ? readOffers(response.headers.get('www-authenticate')).stripe : null
  if (!renewed) throw new Error('This payment request expired and no new card offer is available. Reload the page.')
  return renewed
}
