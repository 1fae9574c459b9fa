// The path patterns of a service link's price rules, and the one canonical form of a request's path
// that pricing and forwarding both use, so the path that was priced is exactly the path forwarded.
// Browser-safe (the dashboard's rule editor runs it). The language, in full (docs/gateway.md):
//   /                 the root only
//   /v1/models        exactly that path (a trailing slash on the request is ignored)
//   /v1/models/*      one more segment, whatever it is (not /v1/models, not /v1/models/a/b)
//   /v1/**            /v1 and everything below it; /** is every path
// `*` and `**` are whole segments; `**` only as the last. Literal segments compare ASCII
// case-insensitively, and a request segment is compared up to its first ";": upstreams that ignore
// case or matrix parameters must not be reachable at another route's price.

export type PathPattern = { readonly source: string; readonly segments: readonly PatternSegment[] }
type PatternSegment = { kind: 'literal'; key: string } | { kind: 'one' } | { kind: 'rest' }

export const maxPatternLength = 200
export const maxRequestPathLength = 8192

export class InvalidPathPatternError extends Error {
  override name = 'InvalidPathPatternError'
}

/** Characters a pattern's literal segment may hold besides %XX: RFC 3986 pchar without ";" and "*". */
const patternChar = /^[A-Za-z0-9\-._~!$&'()+,=:@]$/
/** pchar: what a canonical request segment holds raw; everything else is percent-encoded. */
const pathChar = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/
const unreservedChar = /^[A-Za-z0-9\-._~]$/
const hexDigits = /^[0-9A-Fa-f]{2}$/

/** Parses a rule's path pattern; throws InvalidPathPatternError with a message a merchant can act on. */
export function parsePathPattern(source: string): PathPattern {
  const fail = (message: string): never => {
    throw new InvalidPathPatternError(message)
  }
  if (source.length === 0) fail('the path is empty; write / for the root or /** for every path')
  if (source.length > maxPatternLength) fail(`the path can be at most ${maxPatternLength} characters`)
  if (!source.startsWith('/')) fail(`the path must start with "/" (write /${source.replace(/^\/*/, '')})`)
  if (source === '/') return { source, segments: [] }
  if (source.endsWith('/')) fail(`remove the trailing "/": ${source.replace(/\/+$/, '') || '/'} already matches it`)
  const parts = source.slice(1).split('/')
  const segments: PatternSegment[] = parts.map((part, index) => {
    if (part === '') return fail('the path has an empty segment ("//")')
    if (part === '**') {
      if (index !== parts.length - 1) fail('"**" can only be the last segment (/v1/** matches everything below /v1)')
      return { kind: 'rest' }
    }
    if (part === '*') return { kind: 'one' }
    if (part.includes('*')) fail(`"*" must be a whole segment (/v1/*/items), not part of one ("${part}")`)
    if (part.includes(';')) fail(`";" is not allowed in a path: a request segment is matched up to its first ";"`)
    for (const char of part.replace(/%[0-9A-Fa-f]{2}/g, ''))
      if (char !== '%' && !patternChar.test(char))
        fail(`"${printable(char)}" cannot appear in a path; use letters, digits, -._~!$&'()+,=:@ or %XX escapes`)
    const literal = canonicalSegment(part)
    if (!literal.ok) return fail(`the path has ${literal.detail}`)
    if (literal.segment === '.' || literal.segment === '..') fail('"." and ".." segments are not allowed')
    return { kind: 'literal', key: segmentKey(literal.segment) }
  })
  return { source, segments }
}

/** null when the pattern is valid, otherwise why not. */
export function pathPatternIssue(source: string): string | null {
  try {
    parsePathPattern(source)
    return null
  } catch (error) {
    if (error instanceof InvalidPathPatternError) return error.message
    throw error
  }
}

export type CanonicalPath = { ok: true; path: string } | { ok: false; detail: string }

/**
 * The canonical form of a request's path below the link: percent-escapes of unreserved characters
 * decoded, other escapes upper-cased, characters outside RFC 3986 pchar escaped, empty segments ("//")
 * removed, a trailing slash kept. Refused: dot segments (also %2E), encoded slashes and backslashes
 * (%2F, %5C, \), NUL, malformed escapes. Idempotent. '' stays '' (the link itself).
 */
export function canonicalPath(raw: string): CanonicalPath {
  if (raw.length > maxRequestPathLength) return { ok: false, detail: `The path is longer than ${maxRequestPathLength} characters.` }
  if (raw === '') return { ok: true, path: '' }
  const parts = (raw.startsWith('/') ? raw.slice(1) : raw).split('/')
  const segments: string[] = []
  for (const part of parts) {
    if (part === '') continue
    const result = canonicalSegment(part)
    if (!result.ok) return { ok: false, detail: `The path is not accepted: ${result.detail}.` }
    if (result.segment === '.' || result.segment === '..')
      return { ok: false, detail: 'The path is not accepted: "." and ".." segments (also written %2E) are not allowed.' }
    segments.push(result.segment)
  }
  const trailing = raw.endsWith('/') && segments.length > 0 ? '/' : ''
  return { ok: true, path: `/${segments.join('/')}${trailing}` }
}

/** True when the canonical path (from canonicalPath) is one the pattern matches. */
export function matchesPath(pattern: PathPattern, path: string): boolean {
  // A segment that is only matrix parameters (";x") is empty to an upstream that strips them.
  const keys = path
    .split('/')
    .map(segmentKey)
    .filter((key) => key !== '')
  const segments = pattern.segments
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    if (segment.kind === 'rest') return true
    const key = keys[i]
    if (key === undefined) return false
    if (segment.kind === 'literal' && segment.key !== key) return false
  }
  return keys.length === segments.length
}

/** True when every path `b` matches, `a` matches too (so a rule with `b` after one with `a` never applies). */
export function patternCovers(a: PathPattern, b: PathPattern): boolean {
  const last = a.segments[a.segments.length - 1]
  const fixed = last?.kind === 'rest' ? a.segments.slice(0, -1) : a.segments
  for (let i = 0; i < fixed.length; i++) {
    const mine = fixed[i]!
    const theirs = b.segments[i]
    if (!theirs || theirs.kind === 'rest') return false
    if (mine.kind === 'literal' && (theirs.kind !== 'literal' || theirs.key !== mine.key)) return false
  }
  if (last?.kind === 'rest') return true
  return b.segments.length === fixed.length
}

/** The request path as an OpenAPI path template: `*` -> {segmentN}, `**` -> {path} (documentation only). */
export function openApiPath(pattern: PathPattern): string {
  let n = 0
  const parts = pattern.source === '/' ? [] : pattern.source.slice(1).split('/')
  return `/${parts.map((part) => (part === '*' ? `{segment${++n}}` : part === '**' ? '{path}' : part)).join('/')}`
}

type SegmentResult = { ok: true; segment: string } | { ok: false; detail: string }

function canonicalSegment(part: string): SegmentResult {
  let out = ''
  for (let i = 0; i < part.length; i++) {
    const char = part[i]!
    if (char === '%') {
      const hex = part.slice(i + 1, i + 3)
      if (!hexDigits.test(hex)) return { ok: false, detail: 'a "%" that does not start a %XX escape' }
      const byte = parseInt(hex, 16)
      if (byte === 0x2f) return { ok: false, detail: 'an encoded slash (%2F)' }
      if (byte === 0x5c) return { ok: false, detail: 'an encoded backslash (%5C)' }
      if (byte === 0) return { ok: false, detail: 'an encoded NUL (%00)' }
      const decoded = String.fromCharCode(byte)
      out += unreservedChar.test(decoded) ? decoded : `%${hex.toUpperCase()}`
      i += 2
    } else if (char === '\\') return { ok: false, detail: 'a backslash' }
    else if (char === '\u0000') return { ok: false, detail: 'a NUL character' }
    else if (pathChar.test(char)) out += char
    else {
      const codePoint = part.codePointAt(i)!
      if (codePoint > 0xffff) i++
      out += percentEncoded(codePoint)
    }
  }
  return { ok: true, segment: out }
}

// The UTF-8 escapes of one code point; a lone surrogate cannot be UTF-8 and becomes U+FFFD (as URL parsers do).
function percentEncoded(codePoint: number): string {
  const text = codePoint >= 0xd800 && codePoint <= 0xdfff ? '\ufffd' : String.fromCodePoint(codePoint)
  return Array.from(new TextEncoder().encode(text), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')
}

// What a segment is compared by: ASCII lower case, up to its first ";" (matrix parameters).
function segmentKey(segment: string): string {
  const cut = segment.indexOf(';')
  return (cut === -1 ? segment : segment.slice(0, cut)).toLowerCase()
}

function printable(char: string): string {
  const code = char.codePointAt(0)!
  return code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : char
}
