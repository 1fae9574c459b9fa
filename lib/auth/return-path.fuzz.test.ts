import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { safeReturnPath } from './return-path'

const origin = 'https://pay.example.com'

// Pieces browsers and URL parsers treat specially, mixed with plain path text.
const tricky = fc.constantFrom(
  '/',
  '//',
  '\\',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  '\u0085',
  ' ',
  '..',
  '.',
  '%2e',
  '%2E%2e',
  '%2f',
  '%5c',
  '%0a',
  '%09',
  '@',
  ':',
  '?',
  '#',
  'evil.example',
  'https:',
  'http:',
  'javascript:',
  'pay.example.com',
  '\u3002',
  'é',
  '\u2028',
)
const pathLike = fc.array(fc.oneof({ weight: 3, arbitrary: tricky }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), {
  maxLength: 12,
})

describe('safeReturnPath', () => {
  test('local paths, queries and fragments come back (in their normal form)', () => {
    assert.equal(safeReturnPath('/dashboard/links/lnk_1?tab=share#qr', origin), '/dashboard/links/lnk_1?tab=share#qr')
    assert.equal(safeReturnPath('/dashboard/links/../payments', origin), '/dashboard/payments')
    assert.equal(safeReturnPath('/dashboard/é', origin), '/dashboard/%C3%A9')
    assert.equal(safeReturnPath(`${origin}/dashboard/webhooks`, origin), '/dashboard/webhooks')
  })

  test('the open-redirect and crash inputs all fall back to /dashboard', () => {
    for (const attack of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/\n',
      '/%0A'.replace('%0A', '\n'),
      '//evil.example',
      '/\\evil.example',
      '\\/evil.example',
      '/..//evil.example',
      '/.%2e//evil.example',
      '/%2e%2e//evil.example',
      '/a/../..//evil.example',
      'https://evil.example/dashboard',
      'http://pay.example.com/dashboard',
      'https://user:pass@pay.example.com/dashboard',
      'javascript:alert(1)',
      '',
      `/${'a'.repeat(600)}`,
    ])
      assert.equal(safeReturnPath(attack, origin), '/dashboard', JSON.stringify(attack))
    assert.equal(safeReturnPath(null), '/dashboard')
    assert.equal(safeReturnPath(undefined), '/dashboard')
  })

  test('fuzz: never throws; always one local path a browser keeps on this origin, fit for a Location header', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          pathLike.map((parts) => parts.join('')),
          fc.string({ unit: 'binary', maxLength: 80 }),
        ),
        (input) => {
          const result = safeReturnPath(input, origin)
          assert.match(result, /^\/(?![/\\])[\x21-\x7e]*$/, `printable ASCII path for ${JSON.stringify(input)}`)
          // Resolved against any page of this origin (as a browser follows Location), it stays here.
          for (const base of [origin, `${origin}/signin?next=x`, `${origin}/dashboard/links/x/`])
            assert.equal(new URL(result, base).origin, origin, `${JSON.stringify(input)} -> ${result}`)
          assert.equal(safeReturnPath(result, origin), result, 'a returned path passes again unchanged')
        },
      ),
      { numRuns: 20_000 },
    )
  })
})
