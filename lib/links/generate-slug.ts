// Generated slugs are the link's only secret before it is shared, so they must not be guessable.
// Lower-case base36 keeps one slug alphabet for generated and custom slugs, and survives
// anything that folds URL case (people retyping, chat apps).
import { randomBytes } from 'node:crypto'

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'
/** 12 base36 characters: 36^12 ≈ 2^62 possibilities. */
export const generatedSlugLength = 12

/** A uniformly random base36 slug from the OS CSPRNG (rejection sampling avoids modulo bias). */
export function generateSlug(length: number = generatedSlugLength): string {
  let slug = ''
  while (slug.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 252 = 7 * 36: bytes at or above it would favour the first characters of the alphabet.
      if (byte >= 252) continue
      slug += alphabet[byte % 36]
      if (slug.length === length) break
    }
  }
  return slug
}
