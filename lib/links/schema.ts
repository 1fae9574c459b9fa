// The link model's input, parsed once here: every create and update goes through these schemas.
import { getAddress, isAddress, zeroAddress, type Address } from 'viem'
import { z } from 'zod'
import { forwardedHeaderIssue, secretHeaderNameIssue, secretHeaderValueIssue } from '@/lib/gateway/header-names'
import type { Price, ServicePricing } from '@/lib/gateway/price-rules'
import { ServicePricingSchema } from '@/lib/gateway/price-rules-schema'
import * as Money from '@/lib/money'
import type { AccessPolicy, LinkResource, LinkSession, McpToolSettings, ServiceResource } from '@/lib/store/schema'

export const rails = ['evm', 'stripe'] as const
export type Rail = (typeof rails)[number]

/** Inline bodies live in the database row; anything larger belongs in a file. */
export const maxInlineBytes = 256 * 1024
export const maxUrlLength = 2048
export const maxWindowMinutes = 525_600
export const slugPattern = /^[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]$/
/** Words a custom slug may not take: they read like app pages and invite phishing look-alikes. */
export const reservedSlugs: ReadonlySet<string> = new Set([
  'about',
  'account',
  'admin',
  'api',
  'app',
  'assets',
  'auth',
  'billing',
  'checkout',
  'create',
  'dashboard',
  'delete',
  'docs',
  'edit',
  'health',
  'help',
  'link',
  'links',
  'login',
  'logout',
  'new',
  'null',
  'openapi',
  'pay',
  'payment',
  'payments',
  'pricing',
  'privacy',
  'public',
  'receipt',
  'receipts',
  'settings',
  'signin',
  'signup',
  'static',
  'status',
  'support',
  'terms',
  'tollgate',
  'undefined',
  'webhook',
  'webhooks',
  'well-known',
  'www',
])

// NUL cannot be stored in PostgreSQL text or jsonb; lone surrogates would be silently mangled.
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
// Control characters and bidi overrides in a one-line title only serve to spoof what a payer reads.
const notPlainLine = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
const notPlainText = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

export const TitleSchema = z
  .string()
  .trim()
  .min(1, 'title is required')
  .max(120, 'title can be at most 120 characters')
  .refine((s) => !notPlainLine.test(s) && !unstorable.test(s), 'title must be one line of plain text')

export const DescriptionSchema = z
  .string()
  .trim()
  .max(2000, 'description can be at most 2000 characters')
  .refine((s) => !notPlainText.test(s) && !unstorable.test(s), 'description must be plain text')

export const PriceSchema = z.string().transform((value, ctx): Money.Usd => {
  try {
    return Money.parseUsd(value)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Money.InvalidUsdError ? error.message : 'invalid price' })
    return z.NEVER
  }
})

/** Per-call charge rails; empty only for a link sold as a session (checked with `session`). */
export const RailsSchema = z
  .array(z.enum(rails))
  .max(rails.length * 4)
  // Canonical order, no duplicates: the same set of rails is always stored the same way.
  .transform((chosen): Rail[] => rails.filter((rail) => chosen.includes(rail)))

export const RecipientSchema = z.string().transform((value, ctx): Address => {
  if (!isAddress(value, { strict: false })) {
    ctx.addIssue({ code: 'custom', message: 'recipient must be an EVM address (0x followed by 40 hex digits)' })
    return z.NEVER
  }
  // Mixed case is an EIP-55 checksum; a mismatch is almost always a typo that would lose funds.
  if (value !== value.toLowerCase() && value.slice(2) !== value.slice(2).toUpperCase() && !isAddress(value, { strict: true })) {
    ctx.addIssue({ code: 'custom', message: 'recipient checksum does not match (EIP-55): check the address for a typo' })
    return z.NEVER
  }
  const address = getAddress(value)
  if (address === zeroAddress) {
    ctx.addIssue({ code: 'custom', message: 'recipient cannot be the zero address: funds sent there are lost' })
    return z.NEVER
  }
  return address
})

export const railsRequired = 'enable at least one payment rail, or sell the link per request as a session'

/** Unit names as the session challenge carries them (`unitType`): `request`, `llm_token`, `byte`… */
export const unitTypePattern = /^[a-z][a-z0-9_]{0,31}$/

/** Selling a link by the unit over `evm`/`session` channels: what a unit is and what a new channel should hold. */
export const SessionSchema = z
  .strictObject({
    unitType: z
      .string()
      .trim()
      .refine((s) => unitTypePattern.test(s), 'unit type must be a lower-case word such as "request" or "llm_token"')
      .default('request'),
    suggestedDeposit: PriceSchema.nullish(),
  })
  .transform((session): LinkSession => ({ unitType: session.unitType, suggestedDepositUsd: session.suggestedDeposit ?? null }))

const HttpUrlSchema = z.string().transform((value, ctx): string => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message })
    return z.NEVER
  }
  if (value.length > maxUrlLength) return fail(`url can be at most ${maxUrlLength} characters`)
  if (!URL.canParse(value)) return fail('url must be an absolute http or https URL')
  const url = new URL(value)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('url must use http or https')
  if (url.username || url.password) return fail('url must not contain a user name or password')
  if (url.href.length > maxUrlLength) return fail(`url can be at most ${maxUrlLength} characters`)
  return url.href
})

const InlineResourceSchema = z
  .strictObject({
    kind: z.literal('inline'),
    contentType: z.enum(['text/plain', 'application/json']),
    body: z.string().min(1, 'the inline body is empty'),
  })
  .superRefine((resource, ctx) => {
    if (utf8Length(resource.body) > maxInlineBytes)
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `the inline body can be at most ${maxInlineBytes / 1024} KB; upload a file instead`,
      })
    else if (unstorable.test(resource.body))
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'the inline body must be valid text without NUL characters' })
    else if (resource.contentType === 'application/json' && !parsesAsJson(resource.body))
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'the inline body is not valid JSON' })
  })

export const maxUpstreamTimeoutSeconds = 300
export const defaultUpstreamTimeoutSeconds = 30
export const maxForwardedHeaders = 20

/**
 * A service link's secret header as a merchant sends it. The value is write-only: it is sealed on save
 * and never returned. On update, `{ name }` without a value keeps the stored value (under that name),
 * an absent secretHeader keeps everything, and null removes it.
 */
export const SecretHeaderInputSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .superRefine((name, ctx) => {
      const issue = secretHeaderNameIssue(name)
      if (issue) ctx.addIssue({ code: 'custom', message: issue })
    }),
  value: z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const issue = secretHeaderValueIssue(value)
      if (issue) ctx.addIssue({ code: 'custom', message: issue })
    })
    .optional(),
})

const ForwardHeadersSchema = z
  .array(
    z.string().superRefine((name, ctx) => {
      const issue = forwardedHeaderIssue(name)
      if (issue) ctx.addIssue({ code: 'custom', message: issue })
    }),
  )
  .max(maxForwardedHeaders, `at most ${maxForwardedHeaders} forwarded headers`)
  .transform((names) => [...new Set(names.map((name) => name.toLowerCase()))])

const ServiceResourceSchema = z.strictObject({
  kind: z.literal('service'),
  upstreamUrl: HttpUrlSchema,
  pricing: ServicePricingSchema.optional().transform(
    (pricing): ServicePricing => pricing ?? { rules: [], jsonRpc: null, settle: 'before' },
  ),
  timeoutSeconds: z
    .number()
    .int('timeoutSeconds must be a whole number')
    .min(1, 'timeoutSeconds must be at least 1')
    .max(maxUpstreamTimeoutSeconds, `timeoutSeconds can be at most ${maxUpstreamTimeoutSeconds}`)
    .default(defaultUpstreamTimeoutSeconds),
  forwardHeaders: ForwardHeadersSchema.default([]),
  secretHeader: SecretHeaderInputSchema.nullish(),
})

/** A service resource as parsed: the secret header still carries its plaintext value, to be sealed. */
export type ServiceResourceInput = Omit<ServiceResource, 'secretHeader'> & {
  secretHeader?: z.output<typeof SecretHeaderInputSchema> | null
}
export type LinkResourceInput = Exclude<LinkResource, ServiceResource> | ServiceResourceInput

export const ResourceSchema: z.ZodType<LinkResourceInput, unknown> = z.discriminatedUnion('kind', [
  InlineResourceSchema,
  z.strictObject({ kind: z.literal('file'), fileId: z.string().min(1, 'fileId is required').max(100) }),
  z.strictObject({ kind: z.literal('redirect'), url: HttpUrlSchema }),
  z.strictObject({ kind: z.literal('proxy'), url: HttpUrlSchema }),
  ServiceResourceSchema,
])

export const AccessPolicySchema: z.ZodType<AccessPolicy, unknown> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('once') }),
  z.strictObject({
    kind: z.literal('window'),
    minutes: z
      .number()
      .int('minutes must be a whole number')
      .min(1)
      .max(maxWindowMinutes, `minutes can be at most ${maxWindowMinutes} (one year)`),
  }),
])

export const MaxPaymentsSchema = z
  .number()
  .int('maxPayments must be a whole number')
  .min(1, 'maxPayments must be at least 1')
  .max(2_147_483_647)

/** MCP tool names: what MCP allows (letters, digits, `_`, `-`, `.`), at most 64 so every common client takes them. */
export const toolNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
/** A tool's input schema is listed to every agent on every tools/list: kept small. */
export const maxToolSchemaBytes = 16 * 1024
const maxToolSchemaDepth = 16

export const ToolNameSchema = z
  .string()
  .trim()
  .refine(
    (s) => toolNamePattern.test(s),
    'tool name must be 1 to 64 letters, digits, "_", "-" or ".", starting with a letter or digit (e.g. market_report)',
  )

/** A JSON Schema for the tool's arguments: an object schema (`"type": "object"`), small and shallow. Compiled on save. */
export const ToolInputSchema = z.unknown().transform((value, ctx): Record<string, unknown> => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message })
    return z.NEVER
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('the input schema must be a JSON object')
  const schema = value as Record<string, unknown>
  if (schema.type !== 'object') return fail('the input schema must describe an object: { "type": "object", "properties": { … } }')
  let text: string
  try {
    text = JSON.stringify(schema)
  } catch {
    return fail('the input schema must be plain JSON')
  }
  if (utf8Length(text) > maxToolSchemaBytes) return fail(`the input schema can be at most ${maxToolSchemaBytes / 1024} KB`)
  if (unstorable.test(text)) return fail('the input schema must not contain NUL characters')
  if (depthOf(schema) > maxToolSchemaDepth) return fail(`the input schema can nest at most ${maxToolSchemaDepth} levels`)
  const refused = refusedKeyword(schema)
  if (refused) return fail(refused)
  return JSON.parse(text) as Record<string, unknown>
})

/**
 * "Available as an MCP tool": null (or absent) is not a tool. A name left out is the link's slug (or the tool's
 * current name), a description left empty is derived from the link, a schema left out is `{ "type": "object" }`.
 */
export const McpToolInputSchema = z.strictObject({
  name: ToolNameSchema.optional(),
  description: DescriptionSchema.optional(),
  inputSchema: ToolInputSchema.nullish(),
})

export type McpToolInput = z.output<typeof McpToolInputSchema>

/** The stored settings for `input`; `fallbackName` when it names none (the current tool name, else the slug). */
export function mcpToolSettings(input: McpToolInput, fallbackName: string): McpToolSettings {
  return { name: input.name ?? fallbackName, description: input.description ?? '', inputSchema: input.inputSchema ?? null }
}

const latestExpiry = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** An ISO 8601 date-time with a zone (or a Date) that is still in the future when parsed. */
export const ExpiresAtSchema = z.union([z.iso.datetime({ offset: true }), z.date()]).transform((value, ctx): Date => {
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'expiresAt is not a real date' })
    return z.NEVER
  }
  if (date.getTime() <= Date.now()) {
    ctx.addIssue({ code: 'custom', message: 'expiresAt must be in the future' })
    return z.NEVER
  }
  // Dates past year 9999 serialise as "+010000-…", which PostgreSQL cannot read.
  if (date.getTime() > latestExpiry) {
    ctx.addIssue({ code: 'custom', message: 'expiresAt must be before the year 10000' })
    return z.NEVER
  }
  return date
})

/** A custom slug: 3..64 of a-z, 0-9 and inner hyphens; upper case is folded. */
export const SlugSchema = z
  .string()
  .trim()
  .max(64, 'slug can be at most 64 characters')
  .toLowerCase()
  .refine((s) => slugPattern.test(s), 'slug must be 3 to 64 characters of a-z, 0-9 and hyphens, starting and ending with a letter or digit')
  .refine((s) => !reservedSlugs.has(s), 'this slug is reserved; choose another')

export const CreateLinkInputSchema = z
  .strictObject({
    title: TitleSchema,
    description: DescriptionSchema.default(''),
    price: PriceSchema,
    rails: RailsSchema,
    /** Also (or only, with no rails) sold per unit through `evm`/`session` payment channels; null: not. */
    session: SessionSchema.nullish(),
    /** Defaults to the merchant's own address. */
    recipient: RecipientSchema.optional(),
    resource: ResourceSchema,
    accessPolicy: AccessPolicySchema.default({ kind: 'once' }),
    maxPayments: MaxPaymentsSchema.nullish(),
    expiresAt: ExpiresAtSchema.nullish(),
    active: z.boolean().default(true),
    slug: SlugSchema.optional(),
    mcpTool: McpToolInputSchema.nullish(),
  })
  .superRefine((link, ctx) => {
    for (const issue of consistencyIssues({
      priceUsd: link.price,
      rails: link.rails,
      resource: link.resource,
      session: link.session ?? null,
    }))
      if (issue.message !== railsRequired) ctx.addIssue({ code: 'custom', ...issue }) // the check below says that one
    for (const issue of accessIssues(link)) ctx.addIssue({ code: 'custom', ...issue })
  })
  // Said even when another field is wrong (the price, say), so every mistake shows at once.
  .check(z.refine((link) => !sellsNothing(link), { path: ['rails'], message: railsRequired, when: () => true }))

/** Every field optional; null clears maxPayments and expiresAt. */
export const UpdateLinkInputSchema = z
  .strictObject({
    title: TitleSchema.optional(),
    description: DescriptionSchema.optional(),
    price: PriceSchema.optional(),
    rails: RailsSchema.optional(),
    session: SessionSchema.nullable().optional(),
    recipient: RecipientSchema.optional(),
    resource: ResourceSchema.optional(),
    accessPolicy: AccessPolicySchema.optional(),
    maxPayments: MaxPaymentsSchema.nullable().optional(),
    expiresAt: ExpiresAtSchema.nullable().optional(),
    active: z.boolean().optional(),
    slug: SlugSchema.optional(),
    /** null: no longer a tool. */
    mcpTool: McpToolInputSchema.nullable().optional(),
  })
  // No rails at all means session only, so a patch that clears them says how the link is sold then.
  .check(
    z.refine((patch) => !sellsNothing(patch), {
      path: ['rails'],
      message: railsRequired,
      when: () => true,
    }),
  )

export type CreateLinkInput = z.input<typeof CreateLinkInputSchema>
export type CreateLinkValues = z.output<typeof CreateLinkInputSchema>
export type UpdateLinkInput = z.input<typeof UpdateLinkInputSchema>
export type UpdateLinkValues = z.output<typeof UpdateLinkInputSchema>

export const serviceAccessMessage =
  'a service link sells each call: its access policy is one access ({"kind":"once"}); a window of access is not offered'

/** A service link is paid per call (its retry grant is the only grant it issues): a window policy would be ignored. */
export function accessIssues(link: {
  resource?: LinkResourceInput | LinkResource
  accessPolicy?: { kind: string }
}): Array<{ path: Array<string | number>; message: string }> {
  if (link.resource?.kind !== 'service' || !link.accessPolicy || link.accessPolicy.kind === 'once') return []
  return [{ path: ['accessPolicy'], message: serviceAccessMessage }]
}

/** Rules across fields, checked on create and again on the merged row of an update. */
export function consistencyIssues(link: {
  priceUsd: string
  rails: readonly Rail[]
  resource?: LinkResourceInput | LinkResource
  session?: LinkSession | null
}): Array<{ path: Array<string | number>; message: string }> {
  if (sellsNothing(link)) return [{ path: ['rails'], message: railsRequired }]
  if (!link.rails.includes('stripe')) return []
  if (Money.usdToCents(link.priceUsd) === null) return [{ path: ['price'], message: 'card payments (stripe) need a price in whole cents' }]
  // A service link charges its rules' prices (and sums of them): each must be payable by card too.
  if (link.resource?.kind !== 'service') return []
  const issues: Array<{ path: Array<string | number>; message: string }> = []
  const { rules, jsonRpc } = link.resource.pricing
  const notCents = (price: Price | undefined) => price !== undefined && price !== 'free' && Money.usdToCents(price) === null
  rules.forEach((rule, index) => {
    if (notCents(rule.price))
      issues.push({
        path: ['resource', 'pricing', 'rules', index, 'price'],
        message: `rule ${index + 1} (${rule.method} ${rule.path}): card payments (stripe) need prices in whole cents, not $${rule.price}`,
      })
  })
  for (const [name, price] of Object.entries(jsonRpc?.methods ?? {}))
    if (notCents(price))
      issues.push({
        path: ['resource', 'pricing', 'jsonRpc', 'methods', name],
        message: `JSON-RPC method ${name}: card payments (stripe) need prices in whole cents, not $${price}`,
      })
  if (notCents(jsonRpc?.default))
    issues.push({
      path: ['resource', 'pricing', 'jsonRpc', 'default'],
      message: 'JSON-RPC default: card payments (stripe) need prices in whole cents',
    })
  return issues
}

/** Neither a charge rail nor a session (the value may be anything: an object-level check runs on bad input too). */
function sellsNothing(link: unknown): boolean {
  if (typeof link !== 'object' || link === null) return false
  const { rails, session } = link as { rails?: unknown; session?: unknown }
  return Array.isArray(rails) && rails.length === 0 && !session
}

// Counted by hand rather than with Buffer so this schema also runs in the browser (dashboard forms).
function utf8Length(text: string): number {
  if (text.length > maxInlineBytes) return text.length
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/**
 * Keywords a merchant's schema may not use, as the server compiles it and runs it on every call: `pattern` runs
 * a merchant's regular expression on an agent's input (one can stall the server), `$id` names a schema in the
 * validator's shared cache, and a `$ref` outside the schema would be looked up elsewhere.
 */
function refusedKeyword(schema: Record<string, unknown>): string | null {
  const stack: unknown[] = [schema]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null || Array.isArray(node)) continue
    const keywords = node as Record<string, unknown>
    if (Object.hasOwn(keywords, 'pattern') || Object.hasOwn(keywords, 'patternProperties'))
      return 'the input schema may not use "pattern" or "patternProperties" (regular expressions); say the format in a description'
    if (Object.hasOwn(keywords, '$id') || Object.hasOwn(keywords, '$dynamicRef') || Object.hasOwn(keywords, '$dynamicAnchor'))
      return 'the input schema may not use "$id" or dynamic references; write it out in one piece'
    if (Object.hasOwn(keywords, '$ref') && !(typeof keywords.$ref === 'string' && keywords.$ref.startsWith('#')))
      return 'the input schema may only "$ref" its own parts ("#/…")'
    // Only subschemas are walked: a property may well be named "pattern", and `enum` or `default` hold data.
    for (const [keyword, value] of Object.entries(keywords)) {
      if (schemaMaps.has(keyword) && typeof value === 'object' && value !== null) stack.push(...Object.values(value))
      else if (schemaLists.has(keyword) && Array.isArray(value)) stack.push(...value)
      else if (schemaValues.has(keyword)) stack.push(...(Array.isArray(value) ? value : [value]))
    }
  }
  return null
}

/** JSON Schema keywords whose values are name -> subschema maps, lists of subschemas, or one subschema (or a list). */
const schemaMaps = new Set(['properties', 'definitions', '$defs', 'dependentSchemas', 'dependencies'])
const schemaLists = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems'])
const schemaValues = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedItems',
  'unevaluatedProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
])

/** How deep arrays and objects nest (iterative: the schema is untrusted). */
function depthOf(value: unknown): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== 'object' || current === null) continue
    deepest = Math.max(deepest, depth)
    if (deepest > maxToolSchemaDepth) return deepest
    for (const child of Object.values(current)) stack.push([child, depth + 1])
  }
  return deepest
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
