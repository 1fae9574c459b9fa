// Generated slugs are the link's only secret before it is shared, so they must not be guessable.
import { randomBytes } from 'node:crypto'

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** 11 base62 characters: 62^11 ≈ 2^65.5 possibilities. */
export const generatedSlugLength = 11

/** A uniformly random base62 slug from the OS CSPRNG (rejection sampling avoids modulo bias). */
export function generateSlug(length: number = generatedSlugLength): string {
  let slug = ''
  while (slug.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: bytes at or above it would favour the first characters of the alphabet.
      if (byte >= 248) continue
      slug += alphabet[byte % 62]
      if (slug.length === length) break
    }
  }
  return slug
}
