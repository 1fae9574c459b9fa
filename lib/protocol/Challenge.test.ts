import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Challenge from './Challenge'

/** HTTP/1.1 obs-fold, as the spec's examples wrap long headers: recipients replace it with a space. */
const unfold = (text: string) => text.replace(/\r?\n[ \t]+/g, ' ')

// draft-httpauth-payment §"Example Challenge", verbatim.
const exampleChallenge = `Payment id="x7Tg2pLqR9mKvNwY3hBcZa",
    realm="api.example.com",
    method="example",
    intent="charge",
    expires="2025-01-15T12:05:00Z",
    request="eyJhbW91bnQiOiIxMDAwIiwiY3VycmVuY3kiOiJVU0QiLCJyZWNpcGllbnQiOiJhY2N0XzEyMyJ9"`

// draft-httpauth-payment Appendix "Examples", One-Time Charge and Signed Authorization challenges, verbatim.
const oneTimeChargeChallenge = `Payment id="qB3wErTyU7iOpAsD9fGhJk",
    realm="api.example.com",
    method="invoice",
    intent="charge",
    expires="2025-01-15T12:05:00Z",
    request="eyJhbW91bnQiOiIxMDAwIiwiY3VycmVuY3kiOiJVU0QiLCJpbnZvaWNlIjoiaW52XzEyMzQ1In0"`
const signedChallenge = `Payment id="zL4xCvBnM6kJhGfD8sAaWe",
    realm="api.example.com",
    method="signed",
    intent="charge",
    expires="2025-01-15T12:05:00Z",
    request="eyJhbW91bnQiOiI1MDAwIiwiYXNzZXQiOiJVU0QiLCJyZWNpcGllbnQiOiIweDc0MmQzNUNjNjYzNEMwNTMyOTI1YTNiODQ0QmM5ZTc1OTVmOGZFMDAiLCJub25jZSI6IjB4MTIzNDU2Nzg5MCJ9"`

const base = {
  secret: 'test-secret',
  realm: 'api.example.com',
  method: 'evm',
  intent: 'charge',
  request: { amount: '1000', currency: '0x20c0', recipient: '0x742d' },
}

describe('Challenge.deserialize: the spec examples', () => {
  test('§Example Challenge decodes to its parameters', () => {
    const challenge = Challenge.deserialize(unfold(exampleChallenge))
    assert.deepEqual(challenge, {
      id: 'x7Tg2pLqR9mKvNwY3hBcZa',
      realm: 'api.example.com',
      method: 'example',
      intent: 'charge',
      expires: '2025-01-15T12:05:00Z',
      // The spec's "Decoded request" prints currency "usd", but the base64url it shows encodes "USD".
      request: { amount: '1000', currency: 'USD', recipient: 'acct_123' },
    })
  })

  test('One-Time Charge and Signed Authorization challenges decode', () => {
    assert.deepEqual(Challenge.deserialize(unfold(oneTimeChargeChallenge)).request, {
      amount: '1000',
      currency: 'USD',
      invoice: 'inv_12345',
    })
    const signed = Challenge.deserialize(unfold(signedChallenge))
    assert.equal(signed.method, 'signed')
    // The spec prints a methodDetails.nonce request, but the encoded text carries asset/nonce at top level.
    assert.deepEqual(signed.request, {
      amount: '5000',
      asset: 'USD',
      recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00',
      nonce: '0x1234567890',
    })
  })

  test('Multiple Payment Options and Accept-Payment examples: several WWW-Authenticate lines joined by ", "', () => {
    // The spec abbreviates request as "..." (not base64url JSON), so substitute a real one.
    const lines = [
      'Payment id="pT7yHnKmQ2wErXsZ5vCbNl", realm="api.example.com", method="tempo", intent="charge", request="..."',
      'Payment id="nH6xJkLpO3qRtYsA6wDcVb", realm="api.example.com", method="tempo", intent="session", request="..."',
      'Payment id="mF8uJkLpO3qRtYsA6wDcVb", realm="api.example.com", method="stripe", intent="charge", request="..."',
      'Payment id="kD4vLmNpQ2rStUwX5yAbCe", realm="api.example.com", method="solana", intent="charge", request="..."',
    ]
    assert.throws(() => Challenge.deserializeList(lines.join(', ')), Challenge.MalformedChallengeError)
    const joined = lines.map((line) => line.replace('request="..."', 'request="eyJhbW91bnQiOiIxIn0"')).join(', ')
    const challenges = Challenge.deserializeList(joined)
    assert.deepEqual(
      challenges.map((c) => [c.id, c.method, c.intent]),
      [
        ['pT7yHnKmQ2wErXsZ5vCbNl', 'tempo', 'charge'],
        ['nH6xJkLpO3qRtYsA6wDcVb', 'tempo', 'session'],
        ['mF8uJkLpO3qRtYsA6wDcVb', 'stripe', 'charge'],
        ['kD4vLmNpQ2rStUwX5yAbCe', 'solana', 'charge'],
      ],
    )
    assert.deepEqual(challenges[0]!.request, { amount: '1' })
  })

  test('§Request Body Digest Binding example digest is accepted', () => {
    const value =
      'Payment id="abc", realm="api.example.com", method="example", intent="charge", digest="sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", expires="2025-01-15T12:05:00Z", request="e30"'
    assert.equal(Challenge.deserialize(value).digest, 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:')
  })
})

describe('Challenge.create / serialize / deserialize', () => {
  test('round-trips every field, including non-ASCII description via UTF-8 bytes', () => {
    const challenge = Challenge.create({
      ...base,
      expires: new Date('2030-01-01T00:00:00Z'),
      description: 'Café “quoted” \\ "x", with, commas',
      digest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
      opaque: { resource: 'link_1', é: 'ü' },
      header: 'Payment-Authorization',
    })
    assert.equal(challenge.expires, '2030-01-01T00:00:00.000Z')
    const header = Challenge.serialize(challenge)
    for (const char of header) assert.ok(char.charCodeAt(0) <= 0xff, 'header value must be a byte string')
    new Headers({ 'www-authenticate': header }) // would throw for a non-ByteString
    assert.deepEqual(Challenge.deserialize(header), challenge)
  })

  test('serializes as quoted-string auth-params in a fixed order with JCS request', () => {
    const challenge = Challenge.create({ ...base, request: { b: '2', a: '1' } })
    assert.equal(
      Challenge.serialize(challenge),
      `Payment id="${challenge.id}", realm="api.example.com", method="evm", intent="charge", request="eyJhIjoiMSIsImIiOiIyIn0"`,
    )
  })

  test('escapes DQUOTE and backslash (RFC 9110 quoted-pair)', () => {
    const header = Challenge.serialize(Challenge.create({ ...base, realm: 'a"b\\c' }))
    assert.match(header, /realm="a\\"b\\\\c"/)
    assert.equal(Challenge.deserialize(header).realm, 'a"b\\c')
  })

  test('optional members are absent, not undefined', () => {
    const challenge = Challenge.create(base)
    assert.deepEqual(Object.keys(challenge).sort(), ['id', 'intent', 'method', 'realm', 'request'])
  })

  test('create: control characters in description become spaces; Authorization header is the default and omitted', () => {
    const challenge = Challenge.create({ ...base, description: 'two\r\nlines\tand\u0000nul', header: 'authorization' })
    assert.equal(challenge.description, 'two lines and nul')
    assert.equal(Challenge.create({ ...base, description: 'a\ud800b\udc00\ud83d\ude00' }).description, 'a\ufffdb\ufffd\ud83d\ude00')
    assert.equal(challenge.header, undefined)
    assert.equal(Challenge.create({ ...base, header: 'payment-authorization' }).header, 'Payment-Authorization')
  })

  test('create rejects fields that cannot form a challenge', () => {
    const bad: Array<Partial<Challenge.CreateParameters>> = [
      { method: 'EVM' },
      { method: 'evm2' },
      { intent: 'char ge' },
      { realm: 'line\nbreak' },
      { request: [] as unknown as Record<string, unknown> },
      { request: { amount: NaN } },
      { expires: 'tomorrow' },
      { expires: new Date(NaN) },
      { digest: 'sha-256=abc' },
      { opaque: { n: 1 } as unknown as Record<string, string> },
      { header: 'X-Pay' },
    ]
    for (const fields of bad)
      assert.throws(() => Challenge.create({ ...base, ...fields }), Challenge.InvalidChallengeFieldsError, JSON.stringify(fields))
  })

  test('serialize validates hand-built challenges too', () => {
    assert.throws(
      () => Challenge.serialize({ id: '', realm: 'r', method: 'evm', intent: 'charge', request: {} }),
      Challenge.InvalidChallengeFieldsError,
    )
    assert.throws(
      () => Challenge.serialize({ id: 'x', realm: 'r', method: 'evm', intent: 'charge', request: {}, description: '\ud800' }),
      Challenge.InvalidChallengeFieldsError,
    )
  })

  test('the id depends on every bound field but not on description', () => {
    const id = Challenge.create(base).id
    assert.equal(Challenge.create(base).id, id, 'deterministic')
    assert.equal(Challenge.create({ ...base, description: 'x' }).id, id)
    for (const change of [
      { realm: 'other' },
      { method: 'stripe' },
      { intent: 'session' },
      { request: { amount: '1001' } },
      { expires: '2030-01-01T00:00:00Z' },
      { digest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' },
      { opaque: {} },
      { header: 'Payment-Authorization' },
      { secret: 'other' },
    ])
      assert.notEqual(Challenge.create({ ...base, ...change }).id, id, JSON.stringify(change))
  })
})

describe('Challenge.deserializeList: RFC 9110 challenge lists', () => {
  const payment = Challenge.serialize(Challenge.create(base))

  test('skips other schemes, including token68 and parameterless ones', () => {
    const value = `Bearer realm="x", error="invalid_token", ${payment}, Basic YWxhZGRpbjpvcGVuc2VzYW1l, Negotiate, Newauth realm="apps", type=1, title="Login to \\"apps\\""`
    const list = Challenge.deserializeList(value)
    assert.equal(list.length, 1)
    assert.deepEqual(list[0], Challenge.deserialize(payment))
  })

  test('returns [] when there is no Payment challenge; deserialize then throws', () => {
    assert.deepEqual(Challenge.deserializeList('Bearer realm="x"'), [])
    assert.deepEqual(Challenge.deserializeList(''), [])
    assert.throws(() => Challenge.deserialize('Bearer realm="x"'), /found 0/)
    assert.throws(() => Challenge.deserialize(`${payment}, ${payment}`), /found 2/)
  })

  test('scheme and parameter names are case-insensitive; token values and BWS are accepted', () => {
    const c = Challenge.deserialize('pAyMeNt ID=abc , Realm = "r",METHOD=evm, intent=charge, request=e30')
    assert.deepEqual(c, { id: 'abc', realm: 'r', method: 'evm', intent: 'charge', request: {} })
  })

  test('commas and scheme-like text inside quoted strings do not split challenges', () => {
    const c = Challenge.create({ ...base, description: 'a, Payment id="evil", b' })
    assert.equal(Challenge.deserializeList(Challenge.serialize(c)).length, 1)
  })

  test('obs-text is UTF-8 when it decodes as UTF-8, else ISO-8859-1', () => {
    const value = (description: string) =>
      `Payment id="a", realm="r", method="evm", intent="charge", request="e30", description="${description}"`
    assert.equal(Challenge.deserialize(value('Caf\u00c3\u00a9')).description, 'Caf\u00e9')
    assert.equal(Challenge.deserialize(value('Caf\u00e9')).description, 'Caf\u00e9')
    assert.equal(Challenge.deserialize(value('\u00ff\u00fe')).description, '\u00ff\u00fe')
  })

  test('unknown parameters are ignored', () => {
    const c = Challenge.deserialize('Payment id="a", realm="r", method="evm", intent="charge", request="e30", future="x", x-y=1')
    assert.deepEqual(c, { id: 'a', realm: 'r', method: 'evm', intent: 'charge', request: {} })
  })

  test('empty list elements are tolerated', () => {
    assert.equal(Challenge.deserializeList(`, ,${payment},, ${payment} ,`).length, 2)
  })

  const invalid: Array<[string, string]> = [
    ['missing id', 'Payment realm="r", method="evm", intent="charge", request="e30"'],
    ['empty id', 'Payment id="", realm="r", method="evm", intent="charge", request="e30"'],
    ['missing realm', 'Payment id="a", method="evm", intent="charge", request="e30"'],
    ['missing method', 'Payment id="a", realm="r", intent="charge", request="e30"'],
    ['missing intent', 'Payment id="a", realm="r", method="evm", request="e30"'],
    ['missing request', 'Payment id="a", realm="r", method="evm", intent="charge"'],
    ['uppercase method', 'Payment id="a", realm="r", method="EVM", intent="charge", request="e30"'],
    ['request not base64url', 'Payment id="a", realm="r", method="evm", intent="charge", request="e30="'],
    ['request not JSON', 'Payment id="a", realm="r", method="evm", intent="charge", request="bm9wZQ"'],
    ['request an array', 'Payment id="a", realm="r", method="evm", intent="charge", request="W10"'],
    ['opaque with a number', 'Payment id="a", realm="r", method="evm", intent="charge", request="e30", opaque="eyJhIjoxfQ"'],
    ['bad expires', 'Payment id="a", realm="r", method="evm", intent="charge", request="e30", expires="2025-13-01T00:00:00Z"'],
    ['bad digest', 'Payment id="a", realm="r", method="evm", intent="charge", request="e30", digest="sha-256=abc"'],
    ['duplicate parameter', 'Payment id="a", id="b", realm="r", method="evm", intent="charge", request="e30"'],
    ['token68 form', 'Payment abcdef=='],
    ['no parameters', 'Payment'],
    ['unterminated quote', 'Payment id="a'],
    ['missing comma', 'Payment id="a" realm="r"'],
    ['control char in quoted-string', 'Payment id="a\u0001", realm="r", method="evm", intent="charge", request="e30"'],
    ['not a byte string', 'Payment id="a", realm="\u20ac", method="evm", intent="charge", request="e30"'],
    ['garbage', '"just a string"'],
  ]
  for (const [name, value] of invalid)
    test(`rejects ${name}`, () => {
      assert.throws(() => Challenge.deserializeList(value), Challenge.MalformedChallengeError)
    })
})

describe('Challenge.isExpired / credentialHeader', () => {
  test('expired at or after expires; never without expires', () => {
    const challenge = Challenge.create({ ...base, expires: '2025-01-15T12:05:00Z' })
    assert.equal(Challenge.isExpired(challenge, Date.parse('2025-01-15T12:04:59.999Z')), false)
    assert.equal(Challenge.isExpired(challenge, Date.parse('2025-01-15T12:05:00Z')), true)
    assert.equal(Challenge.isExpired(challenge, new Date('2026-01-01T00:00:00Z')), true)
    assert.equal(Challenge.isExpired(Challenge.create(base), new Date('2999-01-01T00:00:00Z')), false)
  })

  test('honours offsets and fractional seconds; an unreadable expires counts as expired', () => {
    const offset = { expires: '2025-01-15T13:05:00.500+01:00' }
    assert.equal(Challenge.isExpired(offset, Date.parse('2025-01-15T12:05:00.499Z')), false)
    assert.equal(Challenge.isExpired(offset, Date.parse('2025-01-15T12:05:00.500Z')), true)
    assert.equal(Challenge.isExpired({ expires: 'garbage' }, 0), true)
  })

  test('credentialHeader defaults to Authorization', () => {
    assert.equal(Challenge.credentialHeader(Challenge.create(base)), 'Authorization')
    assert.equal(Challenge.credentialHeader(Challenge.create({ ...base, header: 'Payment-Authorization' })), 'Payment-Authorization')
  })
})
