// What never changes about a channel once it is open (who pays, who signs, whose it is), kept per process so a
// voucher on a known channel needs no read before its one accounting statement. Balances, the deposit and the
// channel's status are never kept here: the conditional statement reads them under the row lock.
import { RecentlyUsed } from '@/lib/cache/recently-used'
import type { SessionChannel } from '@/lib/store/session-channels'

export type ChannelFacts = Readonly<
  Pick<SessionChannel, 'channelId' | 'payer' | 'payee' | 'token' | 'authorizedSigner' | 'signerIsContract' | 'merchantId'>
>

/** Channels' facts by id, the most recently used kept (bounded). */
export class ChannelFactsCache {
  readonly #facts: RecentlyUsed<ChannelFacts>
  constructor(limit = 10_000) {
    this.#facts = new RecentlyUsed(limit)
  }

  get(channelId: string): ChannelFacts | undefined {
    return this.#facts.get(channelId.toLowerCase())
  }

  remember(row: SessionChannel): void {
    const { channelId, payer, payee, token, authorizedSigner, signerIsContract, merchantId } = row
    this.#facts.set(channelId.toLowerCase(), { channelId, payer, payee, token, authorizedSigner, signerIsContract, merchantId })
  }
}
