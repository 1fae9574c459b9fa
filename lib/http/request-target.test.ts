import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rawRequestTarget } from './request-target'

const marker = globalThis as unknown as { __tollgateRequestTargetHeader?: string }

test('behind server.mjs, the request-target is the one it recorded, query byte for byte', () => {
  const previous = marker.__tollgateRequestTargetHeader
  marker.__tollgateRequestTargetHeader = 'x-test-request-target'
  try {
    const request = new Request('http://127.0.0.1/l/api/v1/x?flag=&a=b+c', {
      headers: { 'x-test-request-target': '/l/api/v1/x?flag&a=b%20c' },
    })
    assert.deepEqual(rawRequestTarget(request), { pathname: '/l/api/v1/x', search: '?flag&a=b%20c' })
    assert.deepEqual(rawRequestTarget(new Request('http://h/l/a', { headers: { 'x-test-request-target': '/l/a' } })), {
      pathname: '/l/a',
      search: '',
    })
    // An absolute-form target (a proxy's) is not a path: the request URL stands.
    const absolute = new Request('http://h/l/a?x=1', { headers: { 'x-test-request-target': 'http://evil.example/l/b' } })
    assert.deepEqual(rawRequestTarget(absolute), { pathname: '/l/a', search: '?x=1' })
  } finally {
    marker.__tollgateRequestTargetHeader = previous
  }
})

test('without server.mjs, a client-sent header means nothing: the request URL stands', () => {
  const previous = marker.__tollgateRequestTargetHeader
  marker.__tollgateRequestTargetHeader = undefined
  try {
    const request = new Request('http://127.0.0.1/l/api/v1?q=1', { headers: { 'x-tollgate-request-target': '/l/other/secret?x' } })
    assert.deepEqual(rawRequestTarget(request), { pathname: '/l/api/v1', search: '?q=1' })
  } finally {
    marker.__tollgateRequestTargetHeader = previous
  }
})
