import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { canonicalPath, InvalidPathPatternError, matchesPath, parsePathPattern, patternCovers, type PathPattern } from './path-pattern'

// Path-ish text: mostly the characters that matter (slashes, dots, escapes, wildcards), sometimes anything.
const pathChars = fc.constantFrom(
  '/',
  '/',
  '.',
  '%',
  '2',
  'e',
  'E',
  'f',
  'F',
  '5',
  'c',
  'a',
  'b',
  '*',
  ';',
  '\\',
  ' ',
  'é',
  '?',
  '#',
  '0',
  '\u0000',
)
const pathText = fc.oneof(
  { arbitrary: fc.array(pathChars, { maxLength: 24 }).map((chars) => chars.join('')), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
)
const segment = fc.oneof(fc.constantFrom('a', 'b', 'A', 'v1', '*', '**', 'x;y', '%61', '%2F', '..', ''), fc.stringMatching(/^[a-z]{1,3}$/))
const patternText = fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`)
// A pattern and a variation of it (segments swapped for literals or wildcards, added or dropped): pairs
// that cover each other, or nearly, which is where a wrong covering rule would show.
const nearPair = fc
  .tuple(patternText, fc.array(fc.constantFrom('same', 'same', 'a', 'v1', '*', '**', 'x;y'), { minLength: 0, maxLength: 5 }))
  .map(([a, edits]) => {
    const parts = a === '/' ? [] : a.slice(1).split('/')
    const b = edits.map((edit, i) => (edit === 'same' ? (parts[i] ?? 'a') : edit))
    return [a, `/${b.join('/')}`] as const
  })

function tryPattern(source: string): PathPattern | null {
  try {
    return parsePathPattern(source)
  } catch (error) {
    assert.ok(error instanceof InvalidPathPatternError, String(error))
    return null
  }
}

test('canonicalPath: never throws; its output is canonical, idempotent, and what a URL parser keeps below a base', () => {
  fc.assert(
    fc.property(pathText, (raw) => {
      const result = canonicalPath(raw)
      if (!result.ok) return
      const path = result.path
      assert.deepEqual(canonicalPath(path), result, 'idempotent')
      if (path === '') return
      assert.match(path, /^(\/([A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})+)*\/?$/)
      assert.ok(!path.includes('//'))
      assert.ok(!path.split('/').some((s) => s === '.' || s === '..'))
      // Joined below a base path, the WHATWG parser changes nothing: no dot segment to resolve, nothing to re-encode.
      assert.equal(new URL(`https://upstream.example/base${path}`).pathname, `/base${path}`)
    }),
    { numRuns: 5000 },
  )
})

/** A path the pattern should match: each * filled with one segment, ** with `fill`. */
function fillPattern(source: string, fill: string[]): string {
  const parts = source === '/' ? [] : source.slice(1).split('/')
  return `/${parts.flatMap((part) => (part === '*' ? ['seg'] : part === '**' ? fill : [part])).join('/')}`
}
const fill = fc.array(fc.stringMatching(/^[a-z0-9]{1,4}$/), { maxLength: 3 })

test('patterns: parse or refuse with InvalidPathPatternError; /** matches every path; covering implies matching', () => {
  let checked = 0
  fc.assert(
    fc.property(fc.oneof(fc.tuple(fc.oneof(patternText, pathText), patternText), nearPair), pathText, fill, ([a, b], raw, more) => {
      const pa = tryPattern(a)
      const pb = tryPattern(b)
      if (pa) assert.ok(patternCovers(pa, pa))
      const random = canonicalPath(raw)
      if (random.ok) assert.ok(matchesPath(parsePathPattern('/**'), random.path))
      if (!pa || !pb || !patternCovers(pa, pb)) return
      for (const candidate of [random, canonicalPath(fillPattern(b, more))]) {
        if (!candidate.ok || !matchesPath(pb, candidate.path)) continue
        checked++
        assert.ok(matchesPath(pa, candidate.path), `${a} covers ${b} but misses ${candidate.path}`)
      }
    }),
    { numRuns: 5000 },
  )
  assert.ok(checked > 100, `only ${checked} paths of covered patterns were checked`)
})

test('patterns: a path made from a pattern by filling its wildcards is matched by it', () => {
  fc.assert(
    fc.property(patternText, fill, (source, more) => {
      const pattern = tryPattern(source)
      if (!pattern) return
      const path = canonicalPath(fillPattern(source, more))
      assert.ok(path.ok)
      assert.ok(matchesPath(pattern, path.path), `${source} should match ${path.path}`)
    }),
    { numRuns: 3000 },
  )
})
