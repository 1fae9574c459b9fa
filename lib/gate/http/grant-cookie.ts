// The access-grant cookie: one per resource, HttpOnly, scoped to the resource's path.
import { createHash } from 'node:crypto'
import type { AccessPolicy } from '@/lib/store/schema'

export function grantCookieName(resourceKey: string): string {
  return `tg_${createHash('sha256').update(resourceKey).digest('base64url').slice(0, 16)}`
}

export function readGrantToken(request: Request, resourceKey: string): string | null {
  const header = request.headers.get('cookie')
  if (!header) return null
  const name = grantCookieName(resourceKey)
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim()
      return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : null
    }
  }
  return null
}

/**
 * The grant a successful delivery leaves behind: a window policy keeps the resource open for its
 * minutes; a one-time policy leaves none (the paid response was the one delivery).
 */
export function grantTerms(policy: AccessPolicy, now: Date): { expiresAt: Date | null; usesLeft: number | null } | null {
  if (policy.kind === 'window') return { expiresAt: new Date(now.getTime() + policy.minutes * 60_000), usesLeft: null }
  return null
}

/** After a paid request whose delivery failed, the payer may fetch the resource once more within a day. */
export function retryGrantTerms(now: Date): { expiresAt: Date; usesLeft: number } {
  return { expiresAt: new Date(now.getTime() + 24 * 3_600_000), usesLeft: 1 }
}

export function serializeGrantCookie(input: {
  resourceKey: string
  token: string
  path: string
  expiresAt: Date | null
  secure: boolean
  now: Date
}): string {
  const parts = [`${grantCookieName(input.resourceKey)}=${input.token}`, `Path=${input.path}`, 'HttpOnly', 'SameSite=Lax']
  if (input.expiresAt) parts.push(`Max-Age=${Math.max(0, Math.floor((input.expiresAt.getTime() - input.now.getTime()) / 1000))}`)
  if (input.secure) parts.push('Secure')
  return parts.join('; ')
}
