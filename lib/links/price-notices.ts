// What a merchant should know about a link's price before sharing it. Below the server-settlement
// minimum (EVM_MIN_SETTLEMENT_USD) the server does not submit on-chain payments itself, since their
// gas would cost more than the price: payers must send the transfer from their own wallet.
import * as Money from '@/lib/money'

export type PriceNotice = { code: 'below_settlement_minimum'; message: string }

export function priceNotices(link: { priceUsd: string; rails: readonly string[] }, minSettlementUsd: string | null): PriceNotice[] {
  if (!minSettlementUsd || minSettlementUsd === '0' || !link.rails.includes('evm') || !Money.isUsd(link.priceUsd)) return []
  if (micros(link.priceUsd) >= micros(minSettlementUsd)) return []
  return [
    {
      code: 'below_settlement_minimum',
      message: `At $${link.priceUsd} this link is below $${minSettlementUsd}, the smallest on-chain payment this server submits and pays the network fee for. Payers must send the USDC transfer from their own wallet and pay its fee; gasless signed payments (EIP-3009) and x402 are not offered. Charge at least $${minSettlementUsd} to offer them.`,
    },
  ]
}

function micros(usd: string): bigint {
  return Money.usdToBaseUnits(usd, Money.maxFractionDigits)
}
