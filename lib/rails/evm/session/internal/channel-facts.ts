// What never changes about a channel once it is open (who pays, who signs, whose it is), kept per process so a
// voucher on a known channel needs no read before its one accounting statement. Balances, the deposit and the
// channel's status are never kept here: the conditional statement reads them under the row lock.
import type { SessionChannel } from '@/lib/store/session-channels'

export type ChannelFacts = Readonly<
  Pick<SessionChannel, 'channelId' | 'payer' | 'payee' | 'token' | 'authorizedSigner' | 'signerIsContract' | 'merchantId'>
>

/** Channels' facts by id, the most recently used kept (bounded). */
export class ChannelFactsCache {
  readonly #facts = new Map<string, ChannelFacts>()
  constructor(readonly limit = 10_000) {}

  get(channelId: string): ChannelFacts | undefined {
    const key = channelId.toLowerCase()
    const found = this.#facts.get(key)
    if (found) {
      this.#facts.delete(key)
      this.#facts.set(key, found)
    }
    return found
  }

  remember(row: SessionChannel): void {
    const key = row.channelId.toLowerCase()
    const { channelId, payer, payee, token, authorizedSigner, signerIsContract, merchantId } = row
    this.#facts.delete(key)
    this.#facts.set(key, { channelId, payer, payee, token, authorizedSigner, signerIsContract, merchantId })
    while (this.#facts.size > this.limit) this.#facts.delete(this.#facts.keys().next().value!)
  }
}
