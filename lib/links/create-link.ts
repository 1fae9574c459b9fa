import { getAddress, isAddress, type Address } from 'viem'
import { UpstreamSecretKeys } from '@/lib/gateway/upstream-secret'
import * as Outbound from '@/lib/outbound'
import { loadSessionPayee } from '@/lib/rails/evm/session/Config'
import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'
import * as Merchants from '@/lib/store/merchants'
import { InvalidInputError, NotFoundError, SlugTakenError, ToolNameTakenError } from './errors'
import { generateSlug } from './generate-slug'
import { checkFileOwned } from './internal/check-file-owned'
import { checkToolName, checkToolSchema } from './internal/check-mcp-tool'
import { checkSessionRecipient } from './internal/check-session-recipient'
import { checkUpstreamAllowed } from './internal/check-upstream-allowed'
import { parseInput } from './internal/parse-input'
import { storedResource } from './internal/service-secret'
import { CreateLinkInputSchema, mcpToolSettings } from './schema'

// A generated slug colliding even once is ~2^-65 likely; a few retries cover a broken RNG loudly.
const generatedSlugAttempts = 4

export type SaveLinkOptions = {
  /** Which proxy upstreams may be saved; default: from the environment (ALLOW_PRIVATE_UPSTREAMS). */
  outbound?: Outbound.OutboundPolicy
  /** MCP tool names a link may not take: the server's own tools (lib/tools). */
  reservedToolNames?: ReadonlySet<string>
  /** Seal service links' upstream API keys; default: derived from MPP_SECRET_KEY when one is saved. */
  upstreamSecretKeys?: UpstreamSecretKeys
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
  checkToolSchema(values.mcpTool?.inputSchema)
  // A tool named after its link's slug is named once the slug is chosen.
  const toolFor = (slug: string) => (values.mcpTool ? mcpToolSettings(values.mcpTool, slug) : null)
  // One id for every slug attempt: a service link's secret is sealed for it.
  const id = Links.newLinkId()
  const { resource, upstreamSecret } = storedResource(
    values.resource,
    id,
    null,
    () => options.upstreamSecretKeys ?? UpstreamSecretKeys.fromEnv(),
  )
  const session = values.session ?? null
  checkSessionRecipient({ session, recipient }, options.sessionPayee === undefined ? loadSessionPayee() : options.sessionPayee)

  const row = (slug: string): Links.NewLink => ({
    id,
    slug,
    merchantId,
    title: values.title,
    description: values.description,
    priceUsd: values.price,
    rails: values.rails,
    session,
    recipient,
    resource,
    accessPolicy: values.accessPolicy,
    maxPayments: values.maxPayments ?? null,
    expiresAt: values.expiresAt ?? null,
    active: values.active,
    mcpTool: toolFor(slug),
  })
  const insert = async (slug: string) => {
    const link = row(slug)
    checkToolName(link.mcpTool ?? null, options.reservedToolNames)
    try {
      return await Links.insert(db, link, { upstreamSecret })
    } catch (error) {
      if (link.mcpTool && Links.isUniqueViolation(error, Links.toolNameConstraint)) throw new ToolNameTakenError(link.mcpTool.name)
      throw error
    }
  }

  if (values.slug !== undefined) {
    const link = await insert(values.slug)
    if (!link) throw new SlugTakenError(values.slug)
    return link
  }
  for (let attempt = 0; attempt < generatedSlugAttempts; attempt++) {
    const link = await insert(generateSlug())
    if (link) return link
  }
  throw new Error('could not generate an unused slug; is the random source broken?')
}

function merchantAddress(address: string): Address {
  if (!isAddress(address, { strict: false })) throw new InvalidInputError([{ path: 'recipient', message: 'recipient is required' }])
  return getAddress(address)
}
