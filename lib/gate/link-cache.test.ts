import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Link } from '@/lib/store/links'
import { LinkCache } from './link-cache'

const link = { id: 'lnk_1', slug: 'demo' } as Link

test('concurrent and repeated lookups within the TTL load once; after it, again', async () => {
  const cache = new LinkCache(1_000)
  let loads = 0
  const load = async () => {
    loads += 1
    return link
  }
  await Promise.all([cache.get('demo', load, 0), cache.get('DEMO', load, 10), cache.get('demo', load, 999)])
  assert.equal(loads, 1)
  assert.equal(await cache.get('demo', load, 1_000), link)
  assert.equal(loads, 2)
})

test('a failed load is not cached', async () => {
  const cache = new LinkCache(1_000)
  await assert.rejects(cache.get('demo', async () => Promise.reject(new Error('db down')), 0))
  await new Promise((r) => setImmediate(r))
  assert.equal(await cache.get('demo', async () => link, 1), link)
})
