// A merchant's webhook endpoint and signing secret.
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import * as Outbound from '@/lib/outbound'
import type { Db } from '@/lib/store/db'
import { merchants } from '@/lib/store/schema'
import { InvalidWebhookUrlError } from './errors'

export type WebhookSettings = { url: string | null; secret: string | null }

const maxUrlLength = 2048

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

export async function getWebhookSettings(db: Db, merchantId: string): Promise<WebhookSettings> {
  const rows = await db
    .select({ url: merchants.webhookUrl, secret: merchants.webhookSecret })
    .from(merchants)
    .where(eq(merchants.id, merchantId))
    .limit(1)
  return rows[0] ?? { url: null, secret: null }
}

/**
 * Sets (or with null/"" clears) the endpoint; the first endpoint gets a signing secret. The endpoint
 * must be a public host over HTTPS; with private addresses allowed (ALLOW_PRIVATE_UPSTREAMS=1, local
 * development) a non-public host may use plain HTTP. The worker checks the address again on each attempt.
 */
export async function setWebhookUrl(
  db: Db,
  merchantId: string,
  input: unknown,
  outbound: Outbound.OutboundPolicy = Outbound.outboundPolicyFromEnv(),
): Promise<WebhookSettings> {
  const url = input === null || input === '' ? null : await checkWebhookUrl(input, outbound)
  const current = await getWebhookSettings(db, merchantId)
  const secret = current.secret ?? (url ? newWebhookSecret() : null)
  await db.update(merchants).set({ webhookUrl: url, webhookSecret: secret }).where(eq(merchants.id, merchantId))
  return { url, secret }
}

/** A new secret; signatures made with the old one stop verifying at once. */
export async function rotateWebhookSecret(db: Db, merchantId: string): Promise<WebhookSettings> {
  const secret = newWebhookSecret()
  const rows = await db
    .update(merchants)
    .set({ webhookSecret: secret })
    .where(eq(merchants.id, merchantId))
    .returning({ url: merchants.webhookUrl })
  return { url: rows[0]?.url ?? null, secret }
}

/** The endpoint URL as stored, once its form and its host (resolved) pass; InvalidWebhookUrlError otherwise. */
export async function checkWebhookUrl(input: unknown, outbound: Outbound.OutboundPolicy): Promise<string> {
  if (typeof input !== 'string' || input.trim() === '') throw new InvalidWebhookUrlError('the endpoint URL is required')
  const value = input.trim()
  if (value.length > maxUrlLength || !URL.canParse(value)) throw new InvalidWebhookUrlError('the endpoint must be an absolute https URL')
  const url = new URL(value)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidWebhookUrlError('the endpoint must use https')
  if (url.username || url.password) throw new InvalidWebhookUrlError('the endpoint URL must not contain a user name or password')
  if (url.hash) throw new InvalidWebhookUrlError('the endpoint URL must not have a #fragment')
  const refusal = await Outbound.refusalFor(url, outbound)
  if (refusal) throw new InvalidWebhookUrlError(refusal)
  if (url.protocol === 'http:' && !(await isAllowedPrivateHost(url, outbound)))
    throw new InvalidWebhookUrlError('the endpoint must use https')
  return url.href
}

/** Plain HTTP is for local development only: a non-public host that the operator allows. */
async function isAllowedPrivateHost(url: URL, outbound: Outbound.OutboundPolicy): Promise<boolean> {
  return outbound.allowPrivate && (await Outbound.refusalFor(url, { ...outbound, allowPrivate: false })) !== null
}
