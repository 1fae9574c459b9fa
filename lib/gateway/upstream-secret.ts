// A merchant's upstream API key, sealed at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
// server secret MPP_SECRET_KEY with its own purpose label, bound to the link it belongs to, so a sealed
// value copied to another link's row does not open. Stored as `v1.<iv>.<ciphertext+tag>` (base64url).
// The plaintext leaves this module only to be sent upstream; logs and API answers get a hint (••••abcd).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const version = 'v1'
const purpose = 'tollgate upstream api key v1'
const ivBytes = 12
const tagBytes = 16
const minSecretBytes = 32

export type UpstreamSecretErrorReason = 'malformed' | 'unsupported-version' | 'undecryptable' | 'missing' | 'no-key'

/** A sealed value that cannot be opened here; the message never holds the value or the key. */
export class UpstreamSecretError extends Error {
  override name = 'UpstreamSecretError'
  constructor(
    readonly reason: UpstreamSecretErrorReason,
    message: string,
  ) {
    super(message)
  }
}

// Key bytes live here, not on the object, so no serialisation or inspection of it can reach them.
const keyMaterial = new WeakMap<UpstreamSecretKeys, readonly Buffer[]>()

/** The keys that seal and open upstream secrets: the current one, then any previous one (rotation). Prints as nothing. */
export class UpstreamSecretKeys {
  private constructor(keys: Buffer[]) {
    keyMaterial.set(this, keys)
  }

  /** From server secrets (current first): each is at least 32 bytes, as MPP_SECRET_KEY must be. */
  static fromServerSecrets(current: string, ...previous: Array<string | undefined>): UpstreamSecretKeys {
    const secrets = [current, ...previous.filter((s): s is string => typeof s === 'string' && s.length > 0)]
    for (const secret of secrets)
      if (Buffer.byteLength(secret) < minSecretBytes)
        throw new UpstreamSecretError('no-key', 'the server secret that seals upstream API keys must be at least 32 bytes')
    return new UpstreamSecretKeys(secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'tollgate', purpose, 32))))
  }

  /** MPP_SECRET_KEY (and MPP_SECRET_KEY_PREVIOUS, so keys sealed before a rotation still open). */
  static fromEnv(env: Record<string, string | undefined> = process.env): UpstreamSecretKeys {
    const current = env.MPP_SECRET_KEY
    if (!current) throw new UpstreamSecretError('no-key', 'MPP_SECRET_KEY is not set: it seals the upstream API keys of service links')
    return UpstreamSecretKeys.fromServerSecrets(current, env.MPP_SECRET_KEY_PREVIOUS)
  }

  toJSON(): string {
    return '[UpstreamSecretKeys]'
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[UpstreamSecretKeys]'
  }
}

/** Seals `value` for the link `linkId` under the current key. */
export function sealUpstreamSecret(value: string, keys: UpstreamSecretKeys, linkId: string): string {
  const iv = randomBytes(ivBytes)
  const cipher = createCipheriv('aes-256-gcm', keysOf(keys)[0]!, iv, { authTagLength: tagBytes })
  cipher.setAAD(associatedData(linkId))
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${version}.${iv.toString('base64url')}.${sealed.toString('base64url')}`
}

/** Opens a value sealed for `linkId`; throws UpstreamSecretError when it is malformed, tampered with, another link's, or sealed under another key. */
export function openUpstreamSecret(stored: string, keys: UpstreamSecretKeys, linkId: string): string {
  const parts = stored.split('.')
  if (parts.length !== 3) throw new UpstreamSecretError('malformed', 'the stored upstream API key is not in a known format')
  const [tag, ivText, sealedText] = parts as [string, string, string]
  if (tag !== version)
    throw new UpstreamSecretError('unsupported-version', `the stored upstream API key has an unknown format version (${tag.slice(0, 8)})`)
  const iv = fromBase64Url(ivText)
  const sealed = fromBase64Url(sealedText)
  if (!iv || iv.length !== ivBytes || !sealed || sealed.length < tagBytes)
    throw new UpstreamSecretError('malformed', 'the stored upstream API key is not in a known format')
  for (const key of keysOf(keys)) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes })
      decipher.setAAD(associatedData(linkId))
      decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes))
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - tagBytes)), decipher.final()])
      return new TextDecoder('utf-8', { fatal: true }).decode(plain)
    } catch {
      // Wrong key (or tampered): try the next one.
    }
  }
  throw new UpstreamSecretError(
    'undecryptable',
    'the stored upstream API key cannot be opened with the server secret (was MPP_SECRET_KEY changed without MPP_SECRET_KEY_PREVIOUS?); enter the key again',
  )
}

/**
 * What a log line or an API answer may show of a secret: its last four characters when it is long
 * enough that they reveal little (at least 16), otherwise nothing but the dots.
 */
export function secretHint(value: string): string {
  const chars = Array.from(value.trim())
  return chars.length >= 16 ? `••••${chars.slice(-4).join('')}` : '••••'
}

function keysOf(keys: UpstreamSecretKeys): readonly Buffer[] {
  const material = keyMaterial.get(keys)
  if (!material) throw new UpstreamSecretError('no-key', 'not an UpstreamSecretKeys made by fromEnv or fromServerSecrets')
  return material
}

function associatedData(linkId: string): Buffer {
  return Buffer.from(`${purpose}\u0000${linkId}`, 'utf8')
}

function fromBase64Url(text: string): Buffer | null {
  return /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : null
}
