import { randomBytes } from 'node:crypto'

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A Stripe-looking id: `pi_3Qx…`, 24 random alphanumerics after the prefix. */
export function create(prefix: string, length = 24): string {
  const bytes = randomBytes(length)
  let out = ''
  for (const byte of bytes) out += alphabet[byte % alphabet.length]
  return `${prefix}_${out}`
}

export function now(): number {
  return Math.floor(Date.now() / 1000)
}
