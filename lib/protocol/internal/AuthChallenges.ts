// RFC 9110 §11.6.1 challenge lists: `WWW-Authenticate: Bearer realm="x", Payment id="..", ...`.
// Parses every scheme (so foreign ones can be skipped) into raw params; values stay byte strings.

import { isTchar } from './Grammar'

export type AuthChallenge = { scheme: string; token68?: string; params: Array<[name: string, value: string]> }

/** Thrown for text that is not a syntactically valid challenge list. */
export class AuthSyntaxError extends Error {
  override name = 'AuthSyntaxError'
}

/** Parses `1#challenge` (empty list elements allowed). Parameter names are lowercased. */
export function parseList(input: string): AuthChallenge[] {
  const cursor = new Cursor(input)
  const challenges: AuthChallenge[] = []
  for (;;) {
    cursor.skipListSeparators()
    if (cursor.done) return challenges
    const scheme = cursor.token()
    if (!scheme) throw cursor.error('expected an auth-scheme')
    const challenge: AuthChallenge = { scheme, params: [] }
    challenges.push(challenge)
    const spaced = cursor.skipWhitespace()
    if (cursor.done || cursor.peek() === ',') continue
    if (!spaced) throw cursor.error('expected a space after the auth-scheme')
    const token68 = cursor.tryToken68()
    if (token68 !== undefined) {
      challenge.token68 = token68
      continue
    }
    readParams(cursor, challenge)
  }
}

function readParams(cursor: Cursor, challenge: AuthChallenge): void {
  for (;;) {
    const name = cursor.token()
    if (!name) throw cursor.error('expected an auth-param name')
    cursor.skipWhitespace()
    if (cursor.peek() !== '=') throw cursor.error('expected "=" after an auth-param name')
    cursor.advance()
    cursor.skipWhitespace()
    let value: string
    if (cursor.peek() === '"') value = cursor.quotedString()
    else {
      value = cursor.token()
      if (!value) throw cursor.error('expected a token or quoted-string value')
    }
    challenge.params.push([name.toLowerCase(), value])
    cursor.skipWhitespace()
    if (cursor.done) return
    if (cursor.peek() !== ',') throw cursor.error('expected "," between auth-params')
    // A list element that is `token BWS "="` continues this challenge; anything else starts the next one.
    const mark = cursor.position
    cursor.skipListSeparators()
    if (cursor.done) return
    const next = cursor.token()
    cursor.skipWhitespace()
    const continues = next !== '' && cursor.peek() === '='
    cursor.position = mark
    if (!continues) return
    cursor.skipListSeparators()
  }
}

class Cursor {
  position = 0
  constructor(private readonly input: string) {}

  get done(): boolean {
    return this.position >= this.input.length
  }

  peek(): string | undefined {
    return this.input[this.position]
  }

  advance(): void {
    this.position++
  }

  error(message: string): AuthSyntaxError {
    return new AuthSyntaxError(`${message} at offset ${this.position}`)
  }

  skipWhitespace(): boolean {
    const start = this.position
    while (!this.done && (this.peek() === ' ' || this.peek() === '\t')) this.position++
    return this.position > start
  }

  skipListSeparators(): void {
    while (!this.done && (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',')) this.position++
  }

  token(): string {
    const start = this.position
    while (!this.done && isTchar(this.input.charCodeAt(this.position))) this.position++
    return this.input.slice(start, this.position)
  }

  /** token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", when it ends the element. */
  tryToken68(): string | undefined {
    const start = this.position
    while (!this.done && /[A-Za-z0-9\-._~+/]/.test(this.peek()!)) this.position++
    if (this.position === start) return undefined
    while (this.peek() === '=') this.position++
    const end = this.position
    this.skipWhitespace()
    if (this.done || this.peek() === ',') return this.input.slice(start, end)
    this.position = start
    return undefined
  }

  /** quoted-string of RFC 9110 §5.6.4, returned unescaped. */
  quotedString(): string {
    this.position++ // opening DQUOTE
    let value = ''
    while (!this.done) {
      const char = this.input[this.position]!
      const code = char.charCodeAt(0)
      this.position++
      if (char === '"') return value
      if (char === '\\') {
        if (this.done) break
        const escaped = this.input.charCodeAt(this.position)
        if (!(escaped === 0x09 || (escaped >= 0x20 && escaped <= 0x7e) || (escaped >= 0x80 && escaped <= 0xff)))
          throw this.error('invalid quoted-pair')
        value += this.input[this.position]
        this.position++
        continue
      }
      if (!(code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff)))
        throw this.error('invalid character in quoted-string')
      value += char
    }
    throw this.error('unterminated quoted-string')
  }
}

// Printable ASCII without DQUOTE and backslash: goes into a quoted-string as it is.
const plainQuotedText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** Formats `name="value"` for a byte-string value, escaping DQUOTE and backslash (RFC 9110 §5.6.4). */
export function formatParam(name: string, value: string): string {
  if (plainQuotedText.test(value)) return `${name}="${value}"`
  let escaped = ''
  for (const char of value) {
    const code = char.charCodeAt(0)
    if (!(code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff)))
      throw new AuthSyntaxError(`"${name}" contains a character a header cannot carry`)
    escaped += char === '"' || char === '\\' ? `\\${char}` : char
  }
  return `${name}="${escaped}"`
}
