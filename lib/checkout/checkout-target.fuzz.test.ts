import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { parseCheckoutTarget } from './checkout-target'

// Path pieces that URL parsers fold: dot segments (plain and encoded), slashes, backslashes, controls.
const piece = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('/', '//', '..', '.', '%2e', '%2E%2e', '%2f', '\\', '\t', 'l', 'demo', 'evil.example', '?', '#', '@', ':'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
)

test('parseCheckoutTarget fuzz: never throws; anything accepted stays on the origin that fetches it', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ),
      (u) => {
        const target = parseCheckoutTarget(u)
        if (target === null) return
        assert.ok(target.path.startsWith('/') && !target.path.startsWith('//'), `${JSON.stringify(u)} -> ${target.path}`)
        // The page fetches `path` relative to itself: it must resolve to the same origin from any page.
        for (const base of ['https://pay.example.com/pay?u=x', 'https://pay.example.com/a/b/'])
          assert.equal(new URL(target.path, base).origin, 'https://pay.example.com', `${JSON.stringify(u)} -> ${target.path}`)
      },
    ),
    { numRuns: 20_000 },
  )
})

test('dot segments that normalise to a scheme-relative path are refused', () => {
  for (const u of [
    '/..//evil.example',
    '/.%2e//evil.example',
    '/%2e%2e//evil.example/l/demo',
    '/a/../..//evil.example',
    '/./..//evil.example',
  ])
    assert.equal(parseCheckoutTarget(u), null, u)
})
