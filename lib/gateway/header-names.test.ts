import assert from 'node:assert/strict'
import { test } from 'node:test'
import { forwardedHeaderIssue, secretHeaderNameIssue, secretHeaderValueIssue } from './header-names'

test('secret header names: the usual API key headers are fine; framing and routing headers are not', () => {
  for (const name of ['Authorization', 'X-Api-Key', 'api-key', 'x-goog-api-key', 'Cookie'])
    assert.equal(secretHeaderNameIssue(name), null, name)
  assert.match(secretHeaderNameIssue('Host')!, /Host frames or routes the request/)
  assert.match(secretHeaderNameIssue('Content-Length')!, /frames or routes/)
  assert.match(secretHeaderNameIssue('Proxy-Authorization')!, /frames or routes/)
  assert.match(secretHeaderNameIssue('X Api Key')!, /1 to 64 letters/)
  assert.match(secretHeaderNameIssue('')!, /1 to 64 letters/)
})

test('secret header values are one line of printable ASCII', () => {
  assert.equal(secretHeaderValueIssue('Bearer sk-proj-abc'), null)
  assert.match(secretHeaderValueIssue('   ')!, /empty/)
  assert.match(secretHeaderValueIssue('a\r\nSet-Cookie: x')!, /one line of printable ASCII/)
  assert.match(secretHeaderValueIssue('clé')!, /printable ASCII/)
  assert.match(secretHeaderValueIssue('a'.repeat(4097))!, /at most 4096/)
})

test('headers a merchant may let through from payers exclude credentials, payment, hop-by-hop and address headers', () => {
  for (const name of ['anthropic-version', 'OpenAI-Beta', 'x-custom']) assert.equal(forwardedHeaderIssue(name), null, name)
  for (const name of [
    'Authorization',
    'Cookie',
    'Payment-Signature',
    'PAYMENT-REQUIRED',
    'X-Payment',
    'X-Forwarded-For',
    'Forwarded',
    'Connection',
    'TE',
    'Host',
    'Proxy-Authorization',
    'Accept-Payment',
    'X-Tollgate-Socket-Address',
    'Sec-Fetch-Site',
  ])
    assert.match(forwardedHeaderIssue(name)!, /is never forwarded/, name)
  assert.match(forwardedHeaderIssue('bad name')!, /is not a header name/)
})
