import { getAddress, isAddress, type Address } from 'viem'
import * as Outbound from '@/lib/outbound'
import { loadSessionPayee } from '@/lib/rails/evm/session/Config'
import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'
import * as Merchants from '@/lib/store/merchants'
import { InvalidInputError, NotFoundError, SlugTakenError } from './errors'
import { generateSlug } from './generate-slug'
import { checkFileOwned } from './internal/check-file-owned'
import { checkSessionRecipient } from './internal/check-session-recipient'
import { checkUpstreamAllowed } from './internal/check-upstream-allowed'
import { parseInput } from './internal/parse-input'
import { CreateLinkInputSchema } from './schema'

// A generated slug colliding even once is ~2^-65 likely; a few retries cover a broken RNG loudly.
const generatedSlugAttempts = 4

export type SaveLinkOptions = {
  /** Which proxy upstreams may be saved; default: from the environment (ALLOW_PRIVATE_UPSTREAMS). */
  outbound?: Outbound.OutboundPolicy
  /** The payee of session channels (the settler account), null when sessions are off; default: from the environment. */
  sessionPayee?: Address | null
}

/** Validates untrusted input and creates a merchant's link. Throws only LinkError subclasses for bad input. */
export async function createLink(db: Db, merchantId: string, input: unknown, options: SaveLinkOptions = {}): Promise<Links.Link> {
  const values = parseInput(CreateLinkInputSchema, input)
  const merchant = await Merchants.getById(db, merchantId)
  if (!merchant) throw new NotFoundError('merchant')
  await checkFileOwned(db, merchantId, values.resource)
  await checkUpstreamAllowed(values.resource, options.outbound ?? Outbound.outboundPolicyFromEnv())
  const recipient = values.recipient ?? merchantAddress(merchant.address)
  const session = values.session ?? null
  checkSessionRecipient({ session, recipient }, options.sessionPayee === undefined ? loadSessionPayee() : options.sessionPayee)

  const row = (slug: string): Links.NewLink => ({
    id: Links.newLinkId(),
    slug,
    merchantId,
    title: values.title,
    description: values.description,
    priceUsd: values.price,
    rails: values.rails,
    session,
    recipient,
    resource: values.resource,
    accessPolicy: values.accessPolicy,
    maxPayments: values.maxPayments ?? null,
    expiresAt: values.expiresAt ?? null,
    active: values.active,
  })

  if (values.slug !== undefined) {
    const link = await Links.insert(db, row(values.slug))
    if (!link) throw new SlugTakenError(values.slug)
    return link
  }
  for (let attempt = 0; attempt < generatedSlugAttempts; attempt++) {
    const link = await Links.insert(db, row(generateSlug()))
    if (link) return link
  }
  throw new Error('could not generate an unused slug; is the random source broken?')
}

function merchantAddress(address: string): Address {
  if (!isAddress(address, { strict: false })) throw new InvalidInputError([{ path: 'recipient', message: 'recipient is required' }])
  return getAddress(address)
}
