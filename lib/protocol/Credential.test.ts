import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Base64Url from './Base64Url'
import * as Binding from './Binding'
import * as Challenge from './Challenge'
import * as Credential from './Credential'
import { MalformedCredentialError } from './Problem'

// draft-httpauth-payment §"Example Credential", verbatim.
const exampleAuthorization =
  'Payment eyJjaGFsbGVuZ2UiOnsiaWQiOiJ4N1RnMnBMcVI5bUt2TndZM2hCY1phIiwicmVhbG0iOiJhcGkuZXhhbXBsZS5jb20iLCJtZXRob2QiOiJleGFtcGxlIiwiaW50ZW50IjoiY2hhcmdlIiwicmVxdWVzdCI6ImV5SmhiVzkxYm5RaU9pSXhNREF3SWl3aVkzVnljbVZ1WTNraU9pSlZVMFFpTENKeVpXTnBjR2xsYm5RaU9pSmhZMk4wWHpFeU15SjkiLCJleHBpcmVzIjoiMjAyNS0wMS0xNVQxMjowNTowMFoifSwicGF5bG9hZCI6eyJwcm9vZiI6IjB4YWJjMTIzLi4uIn19'

// Appendix "One-Time Charge" credential, verbatim. It decodes to {"id":..,"payload":..}: an older shape
// with no `challenge` object, contradicting the spec's own "Decoded credential" and credential table.
const oneTimeChargeAuthorization = 'Payment eyJpZCI6InFCM3dFclR5VTdpT3BBc0Q5ZkdoSmsiLCJwYXlsb2FkIjp7InByZWltYWdlIjoiMHhhYmMxMjMuLi4ifX0'

// Appendix "Signed Authorization" decoded credential JSON, verbatim (the spec gives no encoded form).
const signedCredentialJson = `{
  "challenge": {
    "id": "zL4xCvBnM6kJhGfD8sAaWe",
    "realm": "api.example.com",
    "method": "signed",
    "intent": "charge",
    "request": "eyJhbW91bnQiOiI1MDAwIiwiYXNzZXQiOiJVU0QiLCJyZWNpcGllbnQiOiIweDc0MmQzNUNjNjYzNEMwNTMyOTI1YTNiODQ0QmM5ZTc1OTVmOGZFMDAiLCJub25jZSI6IjB4MTIzNDU2Nzg5MCJ9",
    "expires": "2025-01-15T12:05:00Z"
  },
  "source": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
  "payload": {
    "signature": "0x1b2c3d4e5f..."
  }
}`

const secret = 'test-secret'
const challenge = Challenge.create({
  secret,
  realm: 'api.example.com',
  method: 'evm',
  intent: 'charge',
  request: { amount: '1000', currency: '0xabc' },
  expires: '2030-01-01T00:00:00Z',
  opaque: { resource: 'r1' },
})
const encode = (json: unknown) => `Payment ${Base64Url.encode(JSON.stringify(json))}`
const echo = (overrides: Record<string, unknown> = {}) => ({
  id: challenge.id,
  realm: challenge.realm,
  method: challenge.method,
  intent: challenge.intent,
  request: Base64Url.encode('{"amount":"1000","currency":"0xabc"}'),
  expires: challenge.expires,
  opaque: Base64Url.encode('{"resource":"r1"}'),
  ...overrides,
})

describe('Credential.deserialize: the spec examples', () => {
  test('§Example Credential decodes to the spec\'s "Decoded credential"', () => {
    assert.deepEqual(Credential.deserialize(exampleAuthorization), {
      challenge: {
        id: 'x7Tg2pLqR9mKvNwY3hBcZa',
        realm: 'api.example.com',
        method: 'example',
        intent: 'charge',
        request: { amount: '1000', currency: 'USD', recipient: 'acct_123' },
        expires: '2025-01-15T12:05:00Z',
      },
      payload: { proof: '0xabc123...' },
    })
  })

  test('its echoed challenge equals the §Example Challenge it answers', () => {
    const issued = Challenge.deserialize(
      'Payment id="x7Tg2pLqR9mKvNwY3hBcZa", realm="api.example.com", method="example", intent="charge", expires="2025-01-15T12:05:00Z", request="eyJhbW91bnQiOiIxMDAwIiwiY3VycmVuY3kiOiJVU0QiLCJyZWNpcGllbnQiOiJhY2N0XzEyMyJ9"',
    )
    assert.deepEqual(Credential.deserialize(exampleAuthorization).challenge, issued)
  })

  test('Signed Authorization credential (JSON given in the spec) parses with its source', () => {
    const credential = Credential.deserialize(`Payment ${Base64Url.encode(signedCredentialJson)}`)
    assert.equal(credential.source, 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
    assert.deepEqual(credential.payload, { signature: '0x1b2c3d4e5f...' })
    assert.equal(credential.challenge.id, 'zL4xCvBnM6kJhGfD8sAaWe')
  })

  test('One-Time Charge example credential has no challenge object and is malformed', () => {
    assert.throws(
      () => Credential.deserialize(oneTimeChargeAuthorization),
      (e: unknown) => e instanceof MalformedCredentialError && /challenge/.test(e.message),
    )
  })
})

describe('Credential.serialize / deserialize', () => {
  test('round-trips, and the echo verifies against the binding', () => {
    const credential = Credential.from({
      challenge,
      payload: { type: 'authorization', signature: '0x12' },
      source: 'did:pkh:eip155:1:0xabc',
    })
    const header = Credential.serialize(credential)
    assert.match(header, /^Payment [A-Za-z0-9_-]+$/)
    const parsed = Credential.deserialize(header)
    assert.deepEqual(parsed, credential)
    assert.equal(Binding.verify(parsed.challenge, [secret]), true)
  })

  test('echoes request/opaque as the base64url(JCS) strings of the challenge', () => {
    const header = Credential.serialize({ challenge, payload: {} })
    const wire = Base64Url.decodeJson(header.slice('Payment '.length)) as { challenge: Record<string, unknown> }
    assert.deepEqual(wire.challenge, echo())
    assert.equal(wire.challenge.request, Challenge.serialize(challenge).match(/request="([^"]+)"/)![1])
  })

  test('scheme is case-insensitive; several spaces allowed; surrounding whitespace trimmed', () => {
    const token = Credential.serialize({ challenge, payload: {} }).slice('Payment '.length)
    for (const value of [`payment ${token}`, `PAYMENT   ${token}`, ` Payment ${token}\t`])
      assert.equal(Credential.deserialize(value).challenge.id, challenge.id)
  })

  test('unknown fields in the credential and the echo are ignored', () => {
    const credential = Credential.deserialize(encode({ challenge: echo({ future: 1 }), payload: { a: 1 }, extra: true }))
    assert.deepEqual(Object.keys(credential), ['challenge', 'payload'])
    assert.equal('future' in credential.challenge, false)
  })

  test('a tampered echo parses but no longer verifies', () => {
    const tampered = Credential.deserialize(
      encode({ challenge: echo({ request: Base64Url.encode('{"amount":"1","currency":"0xabc"}') }), payload: {} }),
    )
    assert.equal(Binding.verify(tampered.challenge, [secret]), false)
  })

  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['another scheme', `Bearer ${Base64Url.encode('{}')}`],
    ['no token', 'Payment'],
    ['two tokens', `Payment ${Base64Url.encode('{}')} ${Base64Url.encode('{}')}`],
    ['padding', `Payment ${Base64Url.encode('{"a":1}')}=`],
    ['standard base64 characters', 'Payment ab+/'],
    ['auth-params instead of a token', 'Payment id="x"'],
    ['not JSON', `Payment ${Base64Url.encode('hello')}`],
    ['not UTF-8', `Payment ${Base64Url.encode(new Uint8Array([0xff, 0xfe, 0xfd]))}`],
    ['a JSON array', encode([])],
    ['missing payload', encode({ challenge: echo() })],
    ['payload not an object', encode({ challenge: echo(), payload: 'sig' })],
    ['payload null', encode({ challenge: echo(), payload: null })],
    ['missing challenge', encode({ payload: {} })],
    ['challenge missing id', encode({ challenge: echo({ id: undefined }), payload: {} })],
    ['empty id', encode({ challenge: echo({ id: '' }), payload: {} })],
    ['uppercase method', encode({ challenge: echo({ method: 'EVM' }), payload: {} })],
    ['request as an object (not the echoed string)', encode({ challenge: echo({ request: { amount: '1000' } }), payload: {} })],
    ['request not base64url JSON', encode({ challenge: echo({ request: 'bm9wZQ' }), payload: {} })],
    ['request an array', encode({ challenge: echo({ request: 'W10' }), payload: {} })],
    ['opaque as an object', encode({ challenge: echo({ opaque: { resource: 'r1' } }), payload: {} })],
    ['opaque with non-string values', encode({ challenge: echo({ opaque: Base64Url.encode('{"a":1}') }), payload: {} })],
    ['bad expires', encode({ challenge: echo({ expires: 'soon' }), payload: {} })],
    ['bad digest', encode({ challenge: echo({ digest: 'md5=abc' }), payload: {} })],
    ['source not a string', encode({ challenge: echo(), payload: {}, source: 1 })],
    ['lone surrogate in payload', `Payment ${Base64Url.encode('{"challenge":' + JSON.stringify(echo()) + ',"payload":{"a":"\\ud800"}}')}`],
    ['too large', `Payment ${'A'.repeat(Credential.maxLength)}`],
  ]
  for (const [name, value] of malformed)
    test(`malformed: ${name}`, () => {
      assert.throws(
        () => Credential.deserialize(value),
        (e: unknown) => e instanceof MalformedCredentialError && e.status === 402 && e.code === 'malformed-credential',
      )
    })

  test('error details never echo the credential', () => {
    const secretish = encode({ challenge: echo({ method: 'SECRETSECRET' }), payload: { key: 'SECRETSECRET' } })
    try {
      Credential.deserialize(secretish)
      assert.fail('should throw')
    } catch (error) {
      assert.ok(error instanceof MalformedCredentialError)
      assert.doesNotMatch(error.detail, /SECRETSECRET/)
      assert.doesNotMatch(error.detail, new RegExp(secretish.slice(8, 40)))
    }
  })
})

describe('Credential.fromHeaders', () => {
  const header = Credential.serialize({ challenge, payload: { signature: '0x1' } })

  test('reads Authorization, or Payment-Authorization', () => {
    assert.equal(Credential.fromHeaders(new Headers({ authorization: header }))?.challenge.id, challenge.id)
    assert.equal(Credential.fromHeaders(new Headers({ 'payment-authorization': header }))?.challenge.id, challenge.id)
  })

  test('Payment-Authorization alongside a Bearer Authorization', () => {
    const headers = new Headers({ authorization: 'Bearer sk_test_123', 'payment-authorization': header })
    assert.equal(Credential.fromHeaders(headers)?.challenge.id, challenge.id)
  })

  test('no credential: undefined; other schemes in Authorization are not ours', () => {
    assert.equal(Credential.fromHeaders(new Headers()), undefined)
    assert.equal(Credential.fromHeaders(new Headers({ authorization: 'Bearer abc' })), undefined)
    assert.equal(Credential.fromHeaders(new Headers({ authorization: 'Paymentx abc' })), undefined)
  })

  test('more than one Payment credential is malformed', () => {
    const twice = new Headers()
    twice.append('authorization', header)
    twice.append('authorization', header)
    assert.throws(() => Credential.fromHeaders(twice), MalformedCredentialError)
    assert.throws(
      () => Credential.fromHeaders(new Headers({ authorization: header, 'payment-authorization': header })),
      MalformedCredentialError,
    )
  })

  test('a malformed Payment credential throws instead of being ignored', () => {
    assert.throws(() => Credential.fromHeaders(new Headers({ authorization: 'Payment !!!' })), MalformedCredentialError)
    assert.throws(() => Credential.fromHeaders(new Headers({ 'payment-authorization': 'Bearer x' })), MalformedCredentialError)
  })
})
