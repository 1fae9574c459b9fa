// Everything the checkout page shows before any payment: what is sold, by whom, for how much, on
// which chain, and which ways to pay exist. Routed by status like a checkout session.
import * as Links from '@/lib/links'
import * as Merchants from '@/lib/merchants'
import { getGate } from '@/lib/gate/runtime'
import * as Money from '@/lib/money'
import { minimumChargeCents } from '@/lib/rails/stripe/MinimumCharge'
import type { Db } from '@/lib/store/db'
import * as Files from '@/lib/store/files'
import { chainInfo, localChainId, type ChainInfo } from './chains'
import { parseCheckoutTarget } from './checkout-target'

/** A payment link as the payer sees it. Title and description are merchant text: render as text only. */
export type CheckoutLink = {
  slug: string
  title: string
  description: string
  priceUsd: string
  recipient: string
  merchantName: string | null
  /** ISO time after which the link stops selling, or null. */
  expiresAt: string | null
  access: { kind: 'once' } | { kind: 'window'; minutes: number }
  resource:
    | { kind: 'inline'; contentType: string }
    | { kind: 'file'; name: string; contentType: string; size: number }
    | { kind: 'redirect' }
    | { kind: 'proxy' }
    | { kind: 'service' }
  acceptsCard: boolean
  /** Also (or only) sold per unit over `evm`/`session` payment channels: paid by an agent, not in this page. */
  session?: { unitType: string; suggestedDepositUsd: string | null } | null
}

export type CheckoutEvm = {
  chain: ChainInfo
  token: { address: string; name: string; version: string; decimals: number; symbol: string }
}

export type CardStatus = 'available' | 'not-configured' | 'below-minimum'

export type OpenCheckout = {
  status: 'open'
  /** Same-origin path the page pays for and fetches. */
  target: string
  /** This server's public origin: who is asking to be paid. */
  origin: string
  link: CheckoutLink | null
  evm: CheckoutEvm | null
  card: { stripeConfigured: boolean; minimumUsd: string; status: CardStatus | null }
  /** Demo mode on the local chain: offer a built-in wallet with anvil's test account. */
  testWallet: boolean
}

/** A link sold only per unit over a session channel: a person is told what it is and how an agent pays it. */
export type SessionCheckout = {
  status: 'session-only'
  link: CheckoutLink
  /** The link's public URL, which the agent pays. */
  url: string
}

export type Checkout =
  | OpenCheckout
  | SessionCheckout
  | { status: 'invalid' }
  | { status: 'not-found' }
  | { status: 'unavailable'; reason: Exclude<Links.LinkAvailability, 'ok'>; title: string }

export async function loadCheckout(u: unknown, env: NodeJS.ProcessEnv = process.env): Promise<Checkout> {
  const target = parseCheckoutTarget(u)
  if (!target) return { status: 'invalid' }
  const gate = await getGate()
  const stripeConfigured = gate.stripe !== null
  const minimumCents = minimumChargeCents('usd')

  let link: CheckoutLink | null = null
  if (target.slug !== null) {
    const row = await Links.getLinkBySlug(gate.db, target.slug)
    if (!row) return { status: 'not-found' }
    const paid = row.maxPayments === null ? 0 : await Links.countLinkPayments(gate.db, row.id)
    const availability = Links.linkAvailability(row, paid)
    if (availability !== 'ok') return { status: 'unavailable', reason: availability, title: row.title }
    const merchant = await Merchants.getMerchant(gate.db, row.merchantId)
    link = {
      slug: row.slug,
      title: row.title,
      description: row.description,
      priceUsd: row.priceUsd,
      recipient: row.recipient,
      merchantName: merchant?.name || null,
      expiresAt: row.expiresAt?.toISOString() ?? null,
      access: row.accessPolicy,
      resource: await describeResource(gate.db, row),
      acceptsCard: row.rails.includes('stripe'),
      session: row.session,
    }
    // Nothing a person can pay here: no per-call rail (where one is offered too, the person pays that).
    if (row.session && row.rails.length === 0)
      return { status: 'session-only', link, url: new URL(`/l/${row.slug}`, gate.config.publicUrl).toString() }
  }

  const evmConfig = gate.evm?.config ?? null
  const evm: CheckoutEvm | null = evmConfig
    ? {
        chain: chainInfo({
          chainId: evmConfig.chainId,
          serverRpcUrl: evmConfig.rpcUrl,
          publicRpcUrl: env.EVM_PUBLIC_RPC_URL,
          explorerUrl: env.EVM_EXPLORER_URL,
        }),
        token: {
          address: evmConfig.tokenAddress,
          name: evmConfig.tokenName,
          version: evmConfig.tokenVersion,
          decimals: evmConfig.tokenDecimals,
          symbol: 'USDC',
        },
      }
    : null

  let cardStatus: CardStatus | null = null
  if (link) {
    const cents = Money.usdToCents(link.priceUsd)
    cardStatus =
      !stripeConfigured || !link.acceptsCard
        ? 'not-configured'
        : cents === null || cents < BigInt(minimumCents)
          ? 'below-minimum'
          : 'available'
  } else if (!stripeConfigured) cardStatus = 'not-configured'

  return {
    status: 'open',
    target: target.path,
    origin: gate.config.publicUrl.origin,
    link,
    evm,
    card: { stripeConfigured, minimumUsd: (minimumCents / 100).toFixed(2), status: cardStatus },
    testWallet: env.TOLLGATE_DEMO === '1' && evmConfig?.chainId === localChainId,
  }
}

async function describeResource(db: Db, link: Links.Link): Promise<CheckoutLink['resource']> {
  const resource = link.resource
  if (resource.kind === 'inline') return { kind: 'inline', contentType: resource.contentType }
  if (resource.kind === 'file') {
    const info = await Files.getFileInfoForMerchant(db, link.merchantId, resource.fileId)
    return info
      ? { kind: 'file', name: info.name, contentType: info.contentType, size: info.size }
      : { kind: 'file', name: 'file', contentType: 'application/octet-stream', size: 0 }
  }
  return { kind: resource.kind }
}
