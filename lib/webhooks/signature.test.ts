import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import * as Signature from './signature'

const secret = 'whsec_test'
const body = '{"id":"evt_1","type":"payment.succeeded"}'

test('the header is t=<unix>,v1=<hex HMAC-SHA256 over "t.body">, computed independently', () => {
  const header = Signature.header(secret, body, 1_700_000_000)
  const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex')
  assert.equal(header, `t=1700000000,v1=${expected}`)
})

test('verify accepts the right secret and body within tolerance', () => {
  const now = 1_700_000_000
  assert.equal(Signature.verify({ header: Signature.header(secret, body, now), secret, rawBody: body, now: now + 10 }), true)
})

test('verify refuses another secret, a changed body, an old timestamp and junk', () => {
  const now = 1_700_000_000
  const header = Signature.header(secret, body, now)
  assert.equal(Signature.verify({ header, secret: 'whsec_other', rawBody: body, now }), false)
  assert.equal(Signature.verify({ header, secret, rawBody: `${body} `, now }), false)
  assert.equal(Signature.verify({ header, secret, rawBody: body, now: now + 301 }), false)
  // Moving the timestamp breaks the MAC: the time is signed with the body.
  assert.equal(Signature.verify({ header: header.replace('t=1700000000', 't=1700000100'), secret, rawBody: body, now: now + 100 }), false)
  for (const junk of [null, '', 'v1=abc', 't=1', 't=x,v1=' + 'a'.repeat(64)])
    assert.equal(Signature.verify({ header: junk, secret, rawBody: body, now }), false)
})

test('several v1 values (secret rotation on the receiver) verify when one matches', () => {
  const now = 1_700_000_000
  const good = Signature.compute(secret, now, body)
  assert.equal(Signature.verify({ header: `t=${now},v1=${'0'.repeat(64)},v1=${good}`, secret, rawBody: body, now }), true)
})
