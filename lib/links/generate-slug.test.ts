import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateSlug, generatedSlugLength } from './generate-slug'

test('generated slugs are 11 base62 characters (over 64 bits) and do not repeat', () => {
  assert.ok(generatedSlugLength * Math.log2(62) > 64)
  const slugs = Array.from({ length: 5000 }, () => generateSlug())
  for (const slug of slugs) assert.match(slug, /^[0-9A-Za-z]{11}$/)
  assert.equal(new Set(slugs).size, slugs.length)
})

test('every base62 character is used with roughly equal frequency (no modulo bias)', () => {
  const counts = new Map<string, number>()
  const text = Array.from({ length: 2000 }, () => generateSlug(31)).join('')
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1)
  assert.equal(counts.size, 62)
  const expected = text.length / 62
  for (const [c, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.25, `${c} appeared ${n} times, expected about ${expected}`)
})
