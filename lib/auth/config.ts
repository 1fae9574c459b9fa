// Sign-in configuration from the environment: where the dashboard lives, the session key, and who may sign in.
import { hkdfSync } from 'node:crypto'
import { getAddress, isAddress, type Address } from 'viem'

export type AuthConfig = {
  /** The dashboard's public origin: SIWE messages must name its host (domain) and origin (URI). */
  publicUrl: URL
  /** The EIP-155 chain a sign-in message must name (the EVM rail's chain). */
  chainId: number
  /** JSON-RPC endpoint for smart-contract wallet signatures (ERC-1271/6492); EOAs verify offline. */
  rpcUrl: string | null
  /** HMAC key of the session cookie. Never logged (not enumerable). */
  sessionKey: Uint8Array
  sessionTtlSeconds: number
  nonceTtlSeconds: number
  /** Secure cookies everywhere but plain-http localhost, where browsers would drop them. */
  secureCookies: boolean
  /** null: anyone may sign in (and becomes a merchant). */
  allowedMerchants: ReadonlySet<Address> | null
}

export class AuthConfigError extends Error {
  override name = 'AuthConfigError'
}

const MIN_SECRET_BYTES = 32
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]'])

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const publicUrl = new URL(env.PUBLIC_URL || `http://127.0.0.1:${env.PORT || 3000}`)
  const chainId = Number(env.EVM_CHAIN_ID || env.SIWE_CHAIN_ID || 1)
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new AuthConfigError('EVM_CHAIN_ID must be a positive integer')
  const config: AuthConfig = {
    publicUrl,
    chainId,
    rpcUrl: env.EVM_RPC_URL?.trim() || null,
    sessionKey: new Uint8Array(),
    sessionTtlSeconds: positive(env.SESSION_TTL_SECONDS, 7 * 24 * 3600, 'SESSION_TTL_SECONDS'),
    nonceTtlSeconds: 10 * 60,
    secureCookies: !(publicUrl.protocol === 'http:' && loopbackHosts.has(publicUrl.hostname)),
    allowedMerchants: parseAllowedMerchants(env.ALLOWED_MERCHANTS),
  }
  Object.defineProperty(config, 'sessionKey', { value: deriveSessionKey(env), enumerable: false })
  return config
}

/** SESSION_SECRET when set, otherwise a key derived from MPP_SECRET_KEY (HKDF), so one secret suffices. */
export function deriveSessionKey(env: Record<string, string | undefined>): Uint8Array {
  const dedicated = env.SESSION_SECRET
  if (dedicated) {
    if (Buffer.byteLength(dedicated) < MIN_SECRET_BYTES) throw new AuthConfigError('SESSION_SECRET must be at least 32 bytes')
    return new Uint8Array(Buffer.from(dedicated))
  }
  const master = env.MPP_SECRET_KEY
  if (!master || Buffer.byteLength(master) < MIN_SECRET_BYTES)
    throw new AuthConfigError('set MPP_SECRET_KEY (or SESSION_SECRET), at least 32 bytes, to sign dashboard sessions')
  return new Uint8Array(hkdfSync('sha256', master, 'tollgate', 'tollgate dashboard session cookie v1', 32))
}

/** Comma-separated EVM addresses; empty or unset means no restriction. */
export function parseAllowedMerchants(value: string | undefined): ReadonlySet<Address> | null {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0) return null
  return new Set(
    entries.map((entry) => {
      if (!isAddress(entry, { strict: false }))
        throw new AuthConfigError(`ALLOWED_MERCHANTS: "${entry.slice(0, 50)}" is not an EVM address`)
      return getAddress(entry)
    }),
  )
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (!value) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new AuthConfigError(`${name} must be a positive whole number`)
  return n
}
