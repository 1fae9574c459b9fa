// Browser-safe: the content types a browser shows without running anything in them. Merchant bytes of
// any other type (HTML, SVG, XML, JavaScript, unknown or missing types) are only ever downloads.

const passiveTypes: ReadonlySet<string> = new Set([
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/json',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'video/mp4',
  'video/webm',
  'video/ogg',
])

const essencePattern = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/

/** The lower-case `type/subtype` of a Content-Type value, or null when it is missing or malformed. */
export function contentTypeEssence(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null
  const essence = value.split(';')[0]!.trim().toLowerCase()
  return essencePattern.test(essence) ? essence : null
}

/** True when a browser opening this type top-level shows it and runs nothing (JSON, plain text, raster images, media). */
export function isPassive(contentType: string | null | undefined): boolean {
  const essence = contentTypeEssence(contentType)
  return essence !== null && (passiveTypes.has(essence) || /^application\/[a-z0-9.-]+\+json$/.test(essence))
}
