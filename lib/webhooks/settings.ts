// A merchant's webhook endpoint and signing secret.
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import { merchants } from '@/lib/store/schema'
import { InvalidWebhookUrlError } from './errors'

export type WebhookSettings = { url: string | null; secret: string | null }

const maxUrlLength = 2048
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]'])

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
 * Sets (or with null/"" clears) the endpoint; the first endpoint gets a signing secret. HTTPS is
 * required, except that a server running on loopback itself may call loopback endpoints (local dev).
 */
export async function setWebhookUrl(
  db: Db,
  merchantId: string,
  input: unknown,
  options: { allowLoopback: boolean },
): Promise<WebhookSettings> {
  const url = input === null || input === '' ? null : parseWebhookUrl(input, options)
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

export function parseWebhookUrl(input: unknown, options: { allowLoopback: boolean }): string {
  if (typeof input !== 'string' || input.trim() === '') throw new InvalidWebhookUrlError('the endpoint URL is required')
  const value = input.trim()
  if (value.length > maxUrlLength || !URL.canParse(value)) throw new InvalidWebhookUrlError('the endpoint must be an absolute https URL')
  const url = new URL(value)
  if (url.username || url.password) throw new InvalidWebhookUrlError('the endpoint URL must not contain a user name or password')
  if (url.hash) throw new InvalidWebhookUrlError('the endpoint URL must not have a #fragment')
  const loopback = loopbackHosts.has(url.hostname)
  if (loopback && !options.allowLoopback) throw new InvalidWebhookUrlError('the endpoint must be reachable on the internet, not localhost')
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new InvalidWebhookUrlError('the endpoint must use https')
  return url.href
}
