// When the session rail redeems vouchers on chain and what it relays, read from the environment. The
// chain, token, escrow and settler come from the EVM rail's configuration (lib/rails/evm/Config.ts).
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import * as Money from '@/lib/money'
import { loadEvmConfig } from '../Config'

export type SessionSettings = {
  /** Decimal USD: a channel whose accepted-but-unsettled amount reaches this is settled on chain. */
  settleThresholdUsd: string
  /** A channel with anything unsettled for this long is settled, however small. */
  settleMaxAgeSeconds: number
  /** A channel with no voucher or charge for this long is closed with its best voucher (the spec suggests 30+ days). */
  closeIdleSeconds: number
  /** Decimal USD: the smallest deposit the server relays (feePayer opens and top-ups cost it gas). */
  minDepositUsd: string
  /** Offer `feePayer: true` (the server submits EIP-3009 opens and top-ups and pays their gas) beside `hash`. */
  feePayer: boolean
  /** How often the jobs run: the close watcher, due settlements and recovery. Far below the escrow's grace period. */
  jobIntervalMs: number
}

export const sessionDefaults: SessionSettings = {
  settleThresholdUsd: '1',
  settleMaxAgeSeconds: 24 * 60 * 60,
  closeIdleSeconds: 30 * 24 * 60 * 60,
  minDepositUsd: '0.1',
  feePayer: true,
  jobIntervalMs: 15_000,
}

/** The longest job interval accepted: the watcher must see a forced close well inside the 10-minute minimum grace period. */
export const maxJobIntervalSeconds = 120

export class SessionConfigError extends Error {
  override name = 'SessionConfigError'
}

const text = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value === '' ? undefined : value))

const usd = (name: string) =>
  text.pipe(
    z
      .string()
      .refine((value) => Money.isUsd(value), `${name} must be a decimal amount of dollars such as "0.50"`)
      .transform((value) => Money.parseUsd(value) as string)
      .optional(),
  )

const seconds = (name: string, min: number, max: number) =>
  text.pipe(
    z
      .string()
      .regex(/^\d+$/, `${name} must be a whole number of seconds`)
      .transform(Number)
      .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
      .optional(),
  )

const EnvSchema = z.object({
  SESSION_SETTLE_THRESHOLD_USD: usd('SESSION_SETTLE_THRESHOLD_USD'),
  SESSION_SETTLE_MAX_AGE_SECONDS: seconds('SESSION_SETTLE_MAX_AGE_SECONDS', 60, 365 * 24 * 60 * 60),
  SESSION_CLOSE_IDLE_SECONDS: seconds('SESSION_CLOSE_IDLE_SECONDS', 3_600, 10 * 365 * 24 * 60 * 60),
  SESSION_MIN_DEPOSIT_USD: usd('SESSION_MIN_DEPOSIT_USD'),
  SESSION_FEE_PAYER: text.pipe(z.enum(['true', 'false'], { error: 'SESSION_FEE_PAYER must be true or false' }).optional()),
  SESSION_JOB_INTERVAL_SECONDS: seconds('SESSION_JOB_INTERVAL_SECONDS', 1, maxJobIntervalSeconds),
})

/** Reads the session settings; every variable is optional. Throws SessionConfigError listing every problem. */
export function loadSessionSettings(env: Record<string, string | undefined> = process.env): SessionSettings {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success)
    throw new SessionConfigError(
      `session configuration is invalid:\n${parsed.error.issues.map((issue) => `- ${issue.message}`).join('\n')}`,
    )
  const values = parsed.data
  return {
    settleThresholdUsd: values.SESSION_SETTLE_THRESHOLD_USD ?? sessionDefaults.settleThresholdUsd,
    settleMaxAgeSeconds: values.SESSION_SETTLE_MAX_AGE_SECONDS ?? sessionDefaults.settleMaxAgeSeconds,
    closeIdleSeconds: values.SESSION_CLOSE_IDLE_SECONDS ?? sessionDefaults.closeIdleSeconds,
    minDepositUsd: values.SESSION_MIN_DEPOSIT_USD ?? sessionDefaults.minDepositUsd,
    feePayer: values.SESSION_FEE_PAYER === undefined ? sessionDefaults.feePayer : values.SESSION_FEE_PAYER === 'true',
    jobIntervalMs:
      values.SESSION_JOB_INTERVAL_SECONDS === undefined ? sessionDefaults.jobIntervalMs : values.SESSION_JOB_INTERVAL_SECONDS * 1_000,
  }
}

/** A USD amount in token base units, rounded up (a threshold or minimum never rounds down to zero). */
export function usdToBaseUnitsCeil(usdAmount: string, decimals: number): bigint {
  const [whole, fraction = ''] = Money.parseUsd(usdAmount).split('.')
  const units = BigInt(whole! + fraction.slice(0, decimals).padEnd(decimals, '0'))
  return /[1-9]/.test(fraction.slice(decimals)) ? units + 1n : units
}

/**
 * The payee of every session channel this environment's server would open (the settler account), or null when
 * sessions are off (no EVM_RPC_URL or EVM_ESCROW_ADDRESS) or the settings are invalid. For the dashboard and
 * link validation, which must not build a rail.
 */
export function loadSessionPayee(env: Record<string, string | undefined> = process.env): Address | null {
  try {
    const config = loadEvmConfig(env)
    return config.escrowAddress ? privateKeyToAccount(config.settlerPrivateKey).address : null
  } catch {
    return null
  }
}
