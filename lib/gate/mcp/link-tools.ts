// Payment links sold as MCP tools ("available as an MCP tool" in the link editor): priced and paid exactly like
// the link — same resource key, challenges, sales cap, payments, webhooks — except that no grant is kept (MCP has
// no cookies: each call pays). A link that is not for sale (deactivated, expired, sold out) is left out of
// tools/list but still answers a call with why, as /l/{slug} does.
import * as Links from '@/lib/links'
import type { ObjectSchema, PaidTool } from '@/lib/mcp/registry'
import { offersFor } from '@/lib/discovery/discovery'
import * as Jcs from '@/lib/protocol/Jcs'
import * as StoredLinks from '@/lib/store/links'
import { deliverLink, linkResource } from '../link-resource'
import type { Gate } from '../types'
import { linkResult } from './link-result'
import { sells } from './pay-hook'

/** Tools of links served at most (the newest); tools/list shows every one, so this bounds its size too. */
export const maxLinkTools = 1000

const CLOSED: Record<Exclude<Links.LinkAvailability, 'ok'>, string> = {
  inactive: "This tool's link has been deactivated by its merchant.",
  expired: "This tool's link has expired.",
  'sold-out': "This tool's link has sold out.",
}

/** The tools of the links sold as tools now, read fresh (a call pays at the link's current terms). */
export async function linkTools(gate: Gate, now: Date = gate.clock.now()): Promise<PaidTool[]> {
  const tools: PaidTool[] = []
  for (const link of await StoredLinks.listToolLinks(gate.db, maxLinkTools)) {
    const paid = link.maxPayments === null ? 0 : await Links.countLinkPayments(gate.db, link.id)
    tools.push(linkTool(gate, link, Links.linkAvailability(link, paid, now)))
  }
  return tools
}

export function linkTool(gate: Gate, link: Links.Link, availability: Links.LinkAvailability): PaidTool {
  const settings = link.mcpTool
  if (!settings) throw new Error(`link ${link.id} is not sold as an MCP tool`)
  const resource = { ...linkResource(link, gate.config.publicUrl, gate.db), accessPolicy: { kind: 'once' as const } }
  const tool: PaidTool = {
    name: settings.name,
    title: link.title,
    description: settings.description || derivedDescription(link),
    inputSchema: sharedSchema(settings.inputSchema),
    price: { offers: offersFor(gate.methods, resource) },
    listed: availability === 'ok',
    call: async () => linkResult(await deliverLink(gate.db, link), link, resource.url),
  }
  const closed = availability === 'ok' ? undefined : { title: 'Tool unavailable', detail: CLOSED[availability] }
  return sells(tool, { resource, ...(closed ? { closed } : {}) })
}

/** What an agent reads when the merchant wrote no tool description: the link's title and description. */
export function derivedDescription(link: Pick<Links.Link, 'title' | 'description'>): string {
  return link.description ? `${link.title}. ${link.description}` : link.title
}

// One object per distinct schema: /mcp compiles a validator per schema object (and ajv keeps each), while the
// links are read afresh for every request.
const schemas = new Map<string, ObjectSchema>()
const maxSchemas = 2000

function sharedSchema(stored: Record<string, unknown> | null): ObjectSchema {
  const schema = (stored ?? { type: 'object' }) as ObjectSchema
  const key = Jcs.canonicalize(schema)
  const known = schemas.get(key)
  if (known) return known
  if (schemas.size >= maxSchemas) schemas.clear()
  schemas.set(key, schema)
  return schema
}
