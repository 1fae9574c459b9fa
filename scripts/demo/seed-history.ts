// A little history for the demo dashboard, made the way it happens in production: the demo merchant
// signs in (SIWE) and sets a webhook endpoint, creates a capped link, and anvil's test accounts pay
// the demo links through the gate with the reference clients (mppx and @x402/fetch), settled on chain.
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import { Mppx, evm } from 'mppx/client'
import type { Account, Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import * as Money from '@/lib/money'
import { anvilPrivateKey } from '../chain/deploy'
import type { WebhookReceiver } from './webhook-receiver'

export type HistoryPayment = { slug: string; payer: Address; protocol: 'mpp' | 'x402'; amountUsd: string }

export type DemoHistory = {
  payments: HistoryPayment[]
  /** Their sum as the dashboard writes it, e.g. "$0.77". */
  revenue: string
  /** The card-less link with a sales cap that the history sells out. */
  soldOutSlug: string
  /** null when the app refused the local endpoint (PUBLIC_URL not on loopback). */
  webhookUrl: string | null
  /** Deliveries the receiver got (and verified) before the demo announced itself. */
  deliveredWebhooks: number
}

export type SeedHistoryOptions = {
  /** Where the app answers (its loopback address; the sign-in names PUBLIC_URL as the server says). */
  url: string
  chain: { chainId: number; token: Address }
  /** The demo merchant's key (anvil account 0): it signs in like any merchant. */
  merchantKey: Hex
  receiver: WebhookReceiver
}

export const soldOutSlug = 'demo-limited'

/** Who pays what: anvil accounts 2..9, one payment each (account 1 is left to the person trying the demo). */
const plan: Array<{ slug: string; account: number; protocol: 'mpp' | 'x402' }> = [
  { slug: 'demo', account: 2, protocol: 'mpp' },
  { slug: 'demo', account: 3, protocol: 'x402' },
  { slug: 'demo-api', account: 4, protocol: 'mpp' },
  { slug: 'demo-file', account: 5, protocol: 'mpp' },
  { slug: 'demo', account: 6, protocol: 'mpp' },
  { slug: 'demo-api', account: 7, protocol: 'x402' },
  { slug: soldOutSlug, account: 8, protocol: 'mpp' },
  { slug: soldOutSlug, account: 9, protocol: 'x402' },
]

export async function seedHistory(options: SeedHistoryOptions): Promise<DemoHistory> {
  const merchant = await signInAsMerchant(options.url, options.merchantKey)
  // Refused only when PUBLIC_URL is not loopback (a loopback endpoint is for local use); the rest still works.
  const webhook = (await merchant.json('PUT', '/api/dashboard/webhook', { url: options.receiver.url }).catch(() => null)) as {
    webhook: { secret: string }
  } | null
  if (webhook) options.receiver.setSecret(webhook.webhook.secret)
  await merchant.json('POST', '/api/dashboard/links', {
    slug: soldOutSlug,
    title: 'Early-bird pass (2 only)',
    description: 'A capped, wallet-only link: it sells twice, then says it is sold out.',
    price: '0.10',
    rails: ['evm'],
    maxPayments: 2,
    resource: { kind: 'inline', contentType: 'text/plain', body: 'Your early-bird pass: TOLLGATE-EARLY-BIRD.' },
    accessPolicy: { kind: 'once' },
  })

  const { links } = (await merchant.json('GET', '/api/dashboard/links')) as { links: Array<{ slug: string; priceUsd: string }> }
  const prices = new Map(links.map((link) => [link.slug, link.priceUsd]))

  const payments: HistoryPayment[] = []
  // One at a time, so the dashboard lists them in the order above.
  for (const step of plan) {
    const account = privateKeyToAccount(anvilPrivateKey(step.account))
    const pay = step.protocol === 'mpp' ? mppxFetch(account) : x402Fetch(account, options.chain)
    const response = await pay(`${options.url}/l/${step.slug}`)
    const body = await response.text()
    if (!response.ok) throw new Error(`seeding the demo history: paying /l/${step.slug} answered ${response.status}: ${body.slice(0, 300)}`)
    payments.push({ slug: step.slug, payer: account.address, protocol: step.protocol, amountUsd: prices.get(step.slug) ?? '0' })
  }

  // Deliveries run in the background; give them a moment so the webhooks page is not empty either.
  const deadline = Date.now() + 20_000
  while (webhook && options.receiver.received.filter((e) => e.verified).length < payments.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100))

  const revenue = payments.reduce((sum, p) => sum + Money.usdToBaseUnits(p.amountUsd, 6), 0n)
  return {
    payments,
    revenue: Money.formatUsd(revenue, 6),
    soldOutSlug,
    webhookUrl: webhook ? options.receiver.url : null,
    deliveredWebhooks: options.receiver.received.filter((e) => e.verified).length,
  }
}

type MerchantClient = { json(method: string, path: string, body?: unknown): Promise<unknown> }

async function signInAsMerchant(url: string, key: Hex): Promise<MerchantClient> {
  const account = privateKeyToAccount(key)
  const started = await fetch(`${url}/api/dashboard/auth/nonce`, { method: 'POST' })
  if (!started.ok) throw new Error(`seeding the demo history: the sign-in nonce answered ${started.status}`)
  const nonce = (await started.json()) as { nonce: string; chainId: number; domain: string; uri: string; statement: string }
  const now = new Date()
  const message = createSiweMessage({
    address: account.address,
    chainId: nonce.chainId,
    domain: nonce.domain,
    uri: nonce.uri,
    nonce: nonce.nonce,
    version: '1',
    statement: nonce.statement,
    issuedAt: now,
    expirationTime: new Date(now.getTime() + 10 * 60_000),
  })
  const verified = await fetch(`${url}/api/dashboard/auth/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  })
  if (!verified.ok) throw new Error(`seeding the demo history: the merchant sign-in answered ${verified.status}: ${await verified.text()}`)
  const cookie = verified.headers.get('set-cookie')!.split(';')[0]!
  return {
    async json(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const data = await response.json().catch(() => null)
      if (!response.ok) throw new Error(`seeding the demo history: ${method} ${path} answered ${response.status}: ${JSON.stringify(data)}`)
      return data
    },
  }
}

function mppxFetch(account: Account): (url: string) => Promise<Response> {
  const client = Mppx.create({
    // The EIP-712 domain of TestUSDC, as in mppx.config.mjs; a cap above the dearest demo link.
    methods: [evm({ account, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })],
    polyfill: false,
    maxPaymentRetries: 1,
  })
  return (url) => client.fetch(url)
}

function x402Fetch(account: Account, chain: { chainId: number; token: Address }): (url: string) => Promise<Response> {
  const network = `eip155:${chain.chainId}` as const
  const client = new x402Client()
    .register(network, new ExactEvmScheme(account as never))
    .setSpendControls({ allowedAssets: [{ network, asset: chain.token }] })
  const paying = wrapFetchWithPayment(fetch, client)
  return (url) => paying(url)
}
