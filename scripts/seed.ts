// Seeds the demo merchant and its links. Used by `npm run demo` and the test harness.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Address } from 'viem'
import * as Links from '@/lib/links'
import * as Merchants from '@/lib/merchants'
import * as Outbound from '@/lib/outbound'
import type { Db } from '@/lib/store/db'
import * as Files from '@/lib/store/files'

export type SeedOptions = {
  merchant: Address
  /** The tiny local API the proxied demo link sells. */
  upstreamUrl: string
  /** Offer card payments too (when Stripe is configured). */
  stripe?: boolean
  /** The demo chain's JSON-RPC endpoint, sold per method by /l/demo-rpc (a service link); absent: no such link. */
  rpcUrl?: string
  /** The server's settlement account, which session channels pay (default: the merchant, as in the demo). */
  settler?: Address
}

/** What /l/demo-rpc charges per JSON-RPC method of the demo chain (a batch costs the sum). */
export const demoRpcPrices = { eth_blockNumber: '0.001', eth_call: '0.0001', eth_sendRawTransaction: '0.01' } as const
export const demoRpcDefaultPrice = '0.001'

export async function seedDemo(db: Db, options: SeedOptions): Promise<Links.Link[]> {
  const merchant = await Merchants.ensureMerchant(db, options.merchant)
  const rails: Array<'evm' | 'stripe'> = options.stripe ? ['evm', 'stripe'] : ['evm']
  const guide = readFileSync(path.join(import.meta.dirname, 'demo-assets', 'field-guide.md'))
  const file = await Files.saveFile(db, merchant.id, {
    name: 'tollgate-field-guide.md',
    contentType: 'text/markdown',
    bytes: new Uint8Array(guide),
  })

  const inputs = [
    {
      slug: 'demo',
      title: 'Demo: a JSON fortune',
      description: 'One cent buys a small JSON document. Pay it from a terminal with mppx or x402, or here with a wallet.',
      price: '0.01',
      rails: ['evm'] as Array<'evm' | 'stripe'>,
      resource: {
        kind: 'inline',
        contentType: 'application/json',
        body: JSON.stringify({ fortune: 'A well-formed 402 is the beginning of a beautiful friendship.', paid: true }),
      },
      accessPolicy: { kind: 'window', minutes: 60 },
      // Also a paid tool at /mcp, named after its slug.
      mcpTool: {},
    },
    {
      slug: 'demo-file',
      title: 'The Tollgate field guide (Markdown file)',
      description: 'A downloadable file, delivered with its real name and type after payment.',
      price: '0.50',
      rails,
      resource: { kind: 'file', fileId: file.id },
      accessPolicy: { kind: 'window', minutes: 60 },
      mcpTool: { name: 'field_guide', description: 'The Tollgate field guide, as a Markdown file.' },
    },
    {
      slug: 'demo-api',
      title: 'Quote of the moment (proxied API)',
      description: 'Each paid call is forwarded to an upstream API and its answer streamed back.',
      price: '0.02',
      rails: ['evm'] as Array<'evm' | 'stripe'>,
      resource: { kind: 'proxy', url: `${options.upstreamUrl}/quote` },
      accessPolicy: { kind: 'once' },
      mcpTool: { name: 'quote', inputSchema: { type: 'object', properties: {}, additionalProperties: false } },
    },
    {
      slug: 'demo-session',
      title: 'Pay per request (a session)',
      description:
        'A tenth of a cent per request, paid from a payment channel: one deposit, then a signed voucher per request and no transaction. Pay it with scripts/pay-with-session.ts.',
      price: '0.001',
      rails: [] as Array<'evm' | 'stripe'>,
      session: { unitType: 'request', suggestedDeposit: '0.10' },
      resource: {
        kind: 'inline',
        contentType: 'application/json',
        body: JSON.stringify({ answer: 'One request, paid by a voucher on your channel.', paid: true }),
      },
      accessPolicy: { kind: 'once' },
    },
  ] as const
  const rpc = options.rpcUrl
    ? [
        {
          slug: 'demo-rpc',
          title: 'Demo chain JSON-RPC (paid per method)',
          description: "The demo chain's own JSON-RPC behind a paid gateway: each call costs its method's price, a batch the sum.",
          price: demoRpcDefaultPrice,
          rails: ['evm'] as Array<'evm' | 'stripe'>,
          resource: {
            kind: 'service' as const,
            upstreamUrl: options.rpcUrl,
            pricing: {
              rules: [],
              jsonRpc: { methods: { ...demoRpcPrices }, default: demoRpcDefaultPrice },
              // A call the node fails (5xx) costs nothing.
              settle: 'after-success' as const,
            },
            timeoutSeconds: 30,
            forwardHeaders: [],
          },
          accessPolicy: { kind: 'once' as const },
        },
      ]
    : []

  // The proxied demo link sells the demo's own upstream on 127.0.0.1, which the operator running the demo allows.
  const save = {
    outbound: Outbound.outboundPolicyFromEnv({ ALLOW_PRIVATE_UPSTREAMS: '1' }),
    sessionPayee: options.settler ?? options.merchant,
  }
  const links: Links.Link[] = []
  for (const input of [...inputs, ...rpc]) {
    const existing = await Links.getLinkBySlug(db, input.slug)
    links.push(
      existing
        ? await Links.updateLink(db, merchant.id, existing.id, { ...input, slug: undefined }, save)
        : await Links.createLink(db, merchant.id, { ...input, recipient: options.merchant }, save),
    )
  }
  return links
}
