import { type Address, isAddressEqual } from 'viem'
import type { LinkSession } from '@/lib/store/schema'
import { InvalidInputError } from '../errors'

/**
 * A link sold as a session must pay the server's settlement account: the escrow lets only a channel's payee
 * settle and close it, and the server holds only that key (docs/sessions.md). `payee` null: sessions are off.
 */
export function checkSessionRecipient(link: { session: LinkSession | null; recipient: Address }, payee: Address | null): void {
  if (!link.session) return
  if (!payee)
    throw new InvalidInputError([
      { path: 'session', message: 'this server does not sell sessions (no session escrow is configured); price per call instead' },
    ])
  if (!isAddressEqual(link.recipient, payee))
    throw new InvalidInputError([
      { path: 'recipient', message: `sessions pay the server's settlement account ${payee}; set the recipient to it, or price per call` },
    ])
}
