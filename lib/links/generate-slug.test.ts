import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateSlug, generatedSlugLength } from './generate-slug'
import { SlugSchema } from './schema'

test('generated slugs are 12 lower-case base36 characters (over 60 bits), valid custom slugs too, and do not repeat', () => {
  assert.ok(generatedSlugLength * Math.log2(36) > 60)
  const slugs = Array.from({ length: 5000 }, () => generateSlug())
  for (const slug of slugs) {
    assert.match(slug, /^[0-9a-z]{12}$/)
    assert.equal(SlugSchema.parse(slug), slug)
  }
  assert.equal(new Set(slugs).size, slugs.length)
})

test('every base36 character is used with roughly equal frequency (no modulo bias)', () => {
  const counts = new Map<string, number>()
  const text = Array.from({ length: 2000 }, () => generateSlug(18)).join('')
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1)
  assert.equal(counts.size, 36)
  const expected = text.length / 36
  for (const [c, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.2, `${c} appeared ${n} times, expected about ${expected}`)
})
