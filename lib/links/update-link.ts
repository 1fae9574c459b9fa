import { UpstreamSecretKeys } from '@/lib/gateway/upstream-secret'
import { getAddress } from 'viem'
import * as Outbound from '@/lib/outbound'
import { loadSessionPayee } from '@/lib/rails/evm/session/Config'
import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'
import { InvalidInputError, NotFoundError, SlugTakenError, ToolNameTakenError } from './errors'
import type { SaveLinkOptions } from './create-link'
import { checkFileOwned } from './internal/check-file-owned'
import { checkToolName, checkToolSchema } from './internal/check-mcp-tool'
import { checkSessionRecipient } from './internal/check-session-recipient'
import { checkUpstreamAllowed } from './internal/check-upstream-allowed'
import { parseInput } from './internal/parse-input'
import { storedResource } from './internal/service-secret'
import { accessIssues, consistencyIssues, mcpToolSettings, UpdateLinkInputSchema } from './schema'

/** Applies a validated patch to a merchant's link; another merchant's link is NotFoundError. */
export async function updateLink(
  db: Db,
  merchantId: string,
  linkId: string,
  patch: unknown,
  options: SaveLinkOptions = {},
): Promise<Links.Link> {
  const values = parseInput(UpdateLinkInputSchema, patch)
  const current = await Links.getForMerchant(db, merchantId, linkId)
  if (!current) throw new NotFoundError('link')
  if (values.resource) {
    await checkFileOwned(db, merchantId, values.resource)
    await checkUpstreamAllowed(values.resource, options.outbound ?? Outbound.outboundPolicyFromEnv())
  }

  const merged = {
    priceUsd: values.price ?? current.priceUsd,
    rails: values.rails ?? current.rails,
    resource: values.resource ?? current.resource,
    session: values.session === undefined ? current.session : values.session,
    recipient: values.recipient ?? getAddress(current.recipient),
  }
  const issues = consistencyIssues(merged)
  // Checked when the patch changes either: an older service link saved with a window stays editable otherwise.
  if (values.accessPolicy !== undefined || values.resource !== undefined)
    issues.push(...accessIssues({ resource: merged.resource, accessPolicy: values.accessPolicy ?? current.accessPolicy }))
  if (issues.length > 0) throw new InvalidInputError(issues.map((i) => ({ path: i.path.join('.'), message: i.message })))
  // Only a change to how the link is sold or paid is checked: an old session link stays editable otherwise.
  if (values.session !== undefined || values.recipient !== undefined)
    checkSessionRecipient(merged, options.sessionPayee === undefined ? loadSessionPayee() : options.sessionPayee)
  const stored = values.resource
    ? storedResource(values.resource, linkId, current.resource, () => options.upstreamSecretKeys ?? UpstreamSecretKeys.fromEnv())
    : null

  // A tool keeps its name unless given a new one (renaming the link's slug does not rename its tool).
  const mcpTool =
    values.mcpTool === undefined
      ? undefined
      : values.mcpTool && mcpToolSettings(values.mcpTool, current.mcpTool?.name ?? values.slug ?? current.slug)
  if (mcpTool) {
    checkToolSchema(mcpTool.inputSchema)
    checkToolName(mcpTool, options.reservedToolNames)
  }

  const changes: Parameters<typeof Links.update>[3] = {
    title: values.title,
    description: values.description,
    priceUsd: values.price,
    rails: values.rails,
    session: values.session,
    recipient: values.recipient,
    resource: stored?.resource,
    accessPolicy: values.accessPolicy,
    maxPayments: values.maxPayments,
    expiresAt: values.expiresAt,
    active: values.active,
    slug: values.slug,
    mcpTool,
  }
  try {
    const link = await Links.update(db, merchantId, linkId, changes, { upstreamSecret: stored?.upstreamSecret })
    if (!link) throw new NotFoundError('link')
    return link
  } catch (error) {
    if (values.slug !== undefined && (error instanceof Links.SlugUnavailableError || Links.isUniqueViolation(error, Links.slugConstraint)))
      throw new SlugTakenError(values.slug)
    if (mcpTool && Links.isUniqueViolation(error, Links.toolNameConstraint)) throw new ToolNameTakenError(mcpTool.name)
    throw error
  }
}
