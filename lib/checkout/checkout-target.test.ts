import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseCheckoutTarget } from './checkout-target'

describe('parseCheckoutTarget', () => {
  test('payment links and other same-origin paths', () => {
    assert.deepEqual(parseCheckoutTarget('/l/demo'), { path: '/l/demo', slug: 'demo' })
    assert.deepEqual(parseCheckoutTarget('/l/Demo-File'), { path: '/l/Demo-File', slug: 'demo-file' })
    assert.deepEqual(parseCheckoutTarget('/api/examples/joke?lang=en'), { path: '/api/examples/joke?lang=en', slug: null })
    assert.deepEqual(parseCheckoutTarget('/l/demo/extra'), { path: '/l/demo/extra', slug: null })
  })

  test('normalises dot segments without leaving the origin', () => {
    assert.deepEqual(parseCheckoutTarget('/api/../l/demo'), { path: '/l/demo', slug: 'demo' })
  })

  test('refuses anything that could leave the origin', () => {
    for (const u of [
      'https://evil.example/l/demo',
      '//evil.example/l/demo',
      '/\\evil.example',
      '/\tl/demo',
      'javascript:alert(1)',
      'l/demo',
      '',
      ' /l/demo',
      '/l/demo#frag',
      '/l/de\nmo',
      'x'.repeat(3000),
    ])
      assert.equal(parseCheckoutTarget(u), null, u)
    assert.equal(parseCheckoutTarget(undefined), null)
    assert.equal(parseCheckoutTarget(['/l/demo']), null)
  })
})
