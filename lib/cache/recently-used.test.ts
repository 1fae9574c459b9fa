import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RecentlyUsed } from './recently-used'

test('keeps at most its limit, forgetting the entry used least recently (a read counts as a use)', () => {
  const cache = new RecentlyUsed<number>(2)
  cache.set('a', 1)
  cache.set('b', 2)
  assert.equal(cache.get('a'), 1)
  cache.set('c', 3)
  assert.equal(cache.get('b'), undefined, 'b was used least recently')
  assert.equal(cache.get('a'), 1)
  assert.equal(cache.get('c'), 3)
  cache.set('a', 10)
  assert.equal(cache.size, 2)
  assert.equal(cache.get('a'), 10, 'set replaces the value')
})
