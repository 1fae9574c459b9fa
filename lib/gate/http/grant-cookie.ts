// The access-grant cookie (HTTP's way to hold a grant): one per resource, HttpOnly, scoped to the resource's path.
import { createHash } from 'node:crypto'

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
