// What the settler refuses to spend gas on, however valid the signature: a payment from the recipient
// to itself (it moves nothing), and a server-submitted settlement worth less than its gas.
import { type Address, isAddressEqual } from 'viem'
import { VerificationFailedError } from '@/lib/protocol/Problem'

export function refuseSelfPayment(payer: Address, recipient: Address): void {
  if (isAddressEqual(payer, recipient))
    throw new VerificationFailedError(
      `the payer ${payer} is also the recipient: a payment to oneself moves nothing, so it is refused and nothing was submitted`,
    )
}

export type ServerMinimum = { amount: bigint; usd: string }

/** Refuses a credential the server would submit (and pay gas for) when the price is below the minimum. */
export function refuseBelowServerMinimum(amount: bigint, minimum: ServerMinimum, instead: string): void {
  if (amount < minimum.amount)
    throw new VerificationFailedError(
      `this price (${amount} base units) is below $${minimum.usd}, the smallest payment this server submits on chain and pays the gas for; ${instead}`,
    )
}
