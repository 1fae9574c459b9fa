// Gate configuration from the environment, parsed once. Production refuses weak or missing secrets.
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'

export type GateConfig = {
  publicUrl: URL
  /** The MPP realm: the app's public host. */
  realm: string
  /** Current binding secret first; a previous one is still accepted during rotation. */
  secrets: string[]
  challengeTtlSeconds: number
  /** Recipient for `withPayment` routes that do not name one. */
  defaultRecipient: Address | null
  /** `vouchersPerMinute`: session credentials (a voucher per paid request), counted apart from other credentials. */
  rateLimit: { challengesPerMinute: number; credentialsPerMinute: number; vouchersPerMinute?: number }
  /** Settlements the server submits and pays gas for, per merchant and minute, shared by every instance on the database. */
  settlementsPerMerchantPerMinute: number
  /** Card holds of capped links: how many one client keeps open per link, and how long one lasts unconfirmed. */
  cardHolds: { perClient: number; unconfirmedSeconds: number }
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback)

const envSchema = z.object({
  PUBLIC_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  MPP_SECRET_KEY: z.string().optional(),
  MPP_SECRET_KEY_PREVIOUS: z.string().optional(),
  CHALLENGE_TTL_SECONDS: positiveInt(300),
  PAYMENT_RECIPIENT: z.string().optional(),
  RATE_LIMIT_CHALLENGES_PER_MINUTE: positiveInt(600),
  RATE_LIMIT_CREDENTIALS_PER_MINUTE: positiveInt(120),
  RATE_LIMIT_VOUCHERS_PER_MINUTE: positiveInt(600),
  EVM_SETTLEMENTS_PER_MERCHANT_PER_MINUTE: positiveInt(600),
  CARD_HOLDS_PER_CLIENT: positiveInt(3),
  CARD_HOLD_UNCONFIRMED_SECONDS: positiveInt(180),
})

const MIN_SECRET_BYTES = 32

export function loadGateConfig(env: NodeJS.ProcessEnv = process.env): GateConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${z.prettifyError(parsed.error)}`)
  const e = parsed.data
  const secret = e.MPP_SECRET_KEY
  if (!secret)
    throw new ConfigError('MPP_SECRET_KEY is not set: it binds payment challenges (at least 32 bytes; `openssl rand -base64 48`)')
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new ConfigError('MPP_SECRET_KEY must be at least 32 bytes')
  const previous = e.MPP_SECRET_KEY_PREVIOUS
  if (previous !== undefined && Buffer.byteLength(previous) < MIN_SECRET_BYTES)
    throw new ConfigError('MPP_SECRET_KEY_PREVIOUS must be at least 32 bytes')
  const publicUrl = new URL(e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`)
  let defaultRecipient: Address | null = null
  if (e.PAYMENT_RECIPIENT) {
    if (!isAddress(e.PAYMENT_RECIPIENT, { strict: false })) throw new ConfigError('PAYMENT_RECIPIENT is not an EVM address')
    defaultRecipient = getAddress(e.PAYMENT_RECIPIENT)
  }
  return {
    publicUrl,
    realm: publicUrl.host,
    secrets: previous ? [secret, previous] : [secret],
    challengeTtlSeconds: e.CHALLENGE_TTL_SECONDS,
    defaultRecipient,
    rateLimit: {
      challengesPerMinute: e.RATE_LIMIT_CHALLENGES_PER_MINUTE,
      credentialsPerMinute: e.RATE_LIMIT_CREDENTIALS_PER_MINUTE,
      vouchersPerMinute: e.RATE_LIMIT_VOUCHERS_PER_MINUTE,
    },
    settlementsPerMerchantPerMinute: e.EVM_SETTLEMENTS_PER_MERCHANT_PER_MINUTE,
    cardHolds: { perClient: e.CARD_HOLDS_PER_CLIENT, unconfirmedSeconds: e.CARD_HOLD_UNCONFIRMED_SECONDS },
  }
}
