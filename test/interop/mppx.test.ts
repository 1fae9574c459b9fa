// Interop with mppx 0.11.0, the reference MPP client: what we emit it reads, what it emits we read,
// and our HMAC challenge ids equal its ids. Where mppx departs from the spec we follow the spec; those
// cases are asserted below and say so.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BodyDigest as MppxBodyDigest, Challenge as MppxChallenge, Credential as MppxCredential, Receipt as MppxReceipt } from 'mppx'
import * as Base64Url from '@/lib/protocol/Base64Url'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Digest from '@/lib/protocol/Digest'
import * as Jcs from '@/lib/protocol/Jcs'
import * as Receipt from '@/lib/protocol/Receipt'

const secret = 'interop-secret'
const digest = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
const request = {
  amount: '1000000',
  currency: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00',
  methodDetails: { chainId: 84532, decimals: 6, credentialTypes: ['authorization', 'hash'] },
}
const base = { realm: 'tollgate.example', method: 'evm', intent: 'charge', request }

/** Our challenge in mppx's shape: mppx keeps `opaque` as the raw base64url string it received. */
function asMppx(challenge: Challenge.Challenge): Record<string, unknown> {
  const { opaque, ...rest } = challenge
  return opaque === undefined ? rest : { ...rest, opaque: Base64Url.encode(Jcs.canonicalize(opaque)) }
}

/** An mppx challenge in our shape (it exposes opaque as a string and, when it built it, `meta` as the map). */
function fromMppx(challenge: Record<string, unknown>): Record<string, unknown> {
  const { opaque, ...rest } = challenge
  delete rest.meta
  return typeof opaque === 'string' ? { ...rest, opaque: Base64Url.decodeJson(opaque) } : rest
}

const variants: Array<[string, Omit<Challenge.CreateParameters, 'secret' | keyof typeof base>]> = [
  ['required fields only', {}],
  ['expires', { expires: '2030-01-15T12:05:00.000Z' }],
  ['expires + digest', { expires: '2030-01-15T12:05:00.000Z', digest }],
  ['opaque', { opaque: { resource: 'link_abc', pi: 'pi_123' } }],
  [
    'everything',
    { expires: '2030-01-15T12:05:00.000Z', digest, opaque: { resource: 'link_abc' }, description: 'Premium "API" \\ access, $0.01' },
  ],
  ['Payment-Authorization header', { header: 'Payment-Authorization', opaque: { resource: 'link_abc' } }],
]

describe('challenges we serialize are read by mppx', () => {
  for (const [name, extra] of variants)
    test(name, () => {
      const ours = Challenge.create({ secret, ...base, ...extra })
      const [theirs, ...rest] = MppxChallenge.deserializeList(Challenge.serialize(ours))
      assert.equal(rest.length, 0)
      assert.deepEqual({ ...theirs }, asMppx(ours))
    })

  test('several challenges in one header, between other schemes', () => {
    const evm = Challenge.create({ secret, ...base, expires: '2030-01-15T12:05:00.000Z' })
    const stripe = Challenge.create({ secret, ...base, method: 'stripe', request: { amount: '1', currency: 'usd' } })
    const header = `Bearer realm="api", ${Challenge.serialize(evm)}, ${Challenge.serialize(stripe)}`
    assert.deepEqual(
      MppxChallenge.deserializeList(header).map((c) => ({ ...c })),
      [asMppx(evm), asMppx(stripe)],
    )
  })

  test('non-ASCII description: we send UTF-8 bytes (RFC 9110 obs-text); mppx reads them as Latin-1', () => {
    // mppx departs from RFC 9110 here: it writes U+0080..U+00FF as single Latin-1 bytes and anything above
    // as a \\uXXXX escape (RFC 9110 reads that as a literal "u" + hex digits), and it never UTF-8-decodes.
    // We follow RFC 9110 and read non-UTF-8 bytes as Latin-1, so its é survives but its — does not.
    // description is display-only and not HMAC-bound, so the id and every other field still agree.
    const ours = Challenge.create({ secret, ...base, description: 'Caf\u00e9' })
    const [theirs] = MppxChallenge.deserializeList(Challenge.serialize(ours))
    assert.equal(theirs!.description, 'Caf\u00c3\u00a9')
    assert.equal(theirs!.id, ours.id)
    const mppxHeader = MppxChallenge.serialize(MppxChallenge.from({ secretKey: secret, ...base, description: 'Caf\u00e9 \u2014 ok' }))
    assert.match(mppxHeader, /\\u2014/)
    const parsed = Challenge.deserialize(mppxHeader)
    assert.equal(parsed.description, 'Caf\u00e9 u2014 ok')
    assert.equal(Binding.verify(parsed, [secret]), true)
  })
})

describe('challenges mppx serializes are read by us', () => {
  test('with id bound by mppx: identical fields, and our binding verifies it', () => {
    const theirs = MppxChallenge.from({
      secretKey: secret,
      ...base,
      expires: '2030-01-15T12:05:00.000Z',
      digest,
      meta: { resource: 'link_abc' },
      description: 'Premium access',
    })
    const ours = Challenge.deserialize(MppxChallenge.serialize(theirs))
    assert.deepEqual(ours, fromMppx({ ...theirs }))
    assert.equal(Binding.verify(ours, [secret]), true)
  })

  test('with the Payment-Authorization header', () => {
    const theirs = MppxChallenge.from({ secretKey: secret, ...base, header: 'Payment-Authorization' })
    const ours = Challenge.deserialize(MppxChallenge.serialize(theirs))
    assert.equal(ours.header, 'Payment-Authorization')
    assert.equal(Binding.verify(ours, [secret]), true)
  })
})

describe("HMAC challenge ids equal mppx's (Challenge.from with secretKey, Challenge.verify)", () => {
  for (const [name, extra] of variants)
    test(name, () => {
      const ours = Challenge.create({ secret, ...base, ...extra })
      const { opaque, ...rest } = extra
      const theirs = MppxChallenge.from({ secretKey: secret, ...base, ...rest, ...(opaque ? { meta: opaque } : {}) })
      assert.equal(ours.id, theirs.id)
      assert.equal(MppxChallenge.verify(MppxChallenge.deserialize(Challenge.serialize(ours)), { secretKey: secret }), true)
    })
})

describe('credentials', () => {
  const issued = Challenge.create({ secret, ...base, expires: '2030-01-15T12:05:00.000Z', digest, opaque: { resource: 'link_abc' } })
  const payload = { type: 'authorization', signature: '0x' + 'ab'.repeat(65), authorization: { from: '0x1', nonce: '0x2' } }

  test('mppx Credential.serialize -> our Credential.deserialize', () => {
    const challengeSeenByMppx = MppxChallenge.deserialize(Challenge.serialize(issued))
    const header = MppxCredential.serialize(
      MppxCredential.from({ challenge: challengeSeenByMppx, payload, source: 'did:pkh:eip155:84532:0x1' }),
    )
    const ours = Credential.deserialize(header)
    assert.deepEqual(ours, { challenge: issued, payload, source: 'did:pkh:eip155:84532:0x1' })
    assert.equal(Binding.verify(ours.challenge, [secret]), true)
  })

  test('mppx credential in Payment-Authorization, found by fromHeaders', () => {
    const alternate = Challenge.create({ secret, ...base, header: 'Payment-Authorization' })
    const seen = MppxChallenge.deserialize(Challenge.serialize(alternate))
    const field = MppxChallenge.credentialHeader(seen)
    assert.equal(field, 'Payment-Authorization')
    const headers = new Headers({
      authorization: 'Bearer app-token',
      [field]: MppxCredential.serialize(MppxCredential.from({ challenge: seen, payload })),
    })
    const ours = Credential.fromHeaders(headers)
    assert.deepEqual(ours?.challenge, alternate)
    assert.equal(Binding.verify(ours!.challenge, [secret]), true)
  })

  test('our Credential.serialize -> mppx Credential.deserialize', () => {
    const header = Credential.serialize({ challenge: issued, payload, source: 'did:x' })
    const theirs = MppxCredential.deserialize(header)
    assert.deepEqual({ ...theirs, challenge: { ...theirs.challenge } }, { challenge: asMppx(issued), payload, source: 'did:x' })
    assert.equal(MppxChallenge.verify(theirs.challenge, { secretKey: secret }), true)
  })
})

describe('receipts', () => {
  test('both directions, keeping method-specific fields', () => {
    const ours = Receipt.from({
      method: 'evm',
      reference: '0x' + 'cd'.repeat(32),
      timestamp: '2025-01-15T12:00:00.000Z',
      chainId: 84532,
      challengeId: 'abc',
      externalId: 'order_1',
    })
    assert.deepEqual({ ...MppxReceipt.deserialize(Receipt.serialize(ours)) }, ours)
    const theirs = MppxReceipt.from({
      method: 'evm',
      status: 'success',
      reference: '0x1',
      timestamp: '2025-01-15T12:00:00Z',
      externalId: 'x',
    })
    assert.deepEqual(Receipt.deserialize(MppxReceipt.serialize(theirs)), { ...theirs })
  })
})

describe('body digest', () => {
  test('mppx accepts our RFC 9530 digest; its own BodyDigest form is not RFC 9530 and we reject it', async () => {
    const ours = await Digest.compute('{"amount":"1000"}')
    const [theirs] = MppxChallenge.deserializeList(Challenge.serialize(Challenge.create({ secret, ...base, digest: ours })))
    assert.equal(theirs!.digest, ours)
    // mppx departs from RFC 9530: BodyDigest.compute omits the ":" byte-sequence delimiters.
    const mppxDigest = MppxBodyDigest.compute('{"amount":"1000"}')
    assert.equal(mppxDigest, ours.slice(0, -1).replace('=:', '='))
    assert.equal(await Digest.verify(mppxDigest, '{"amount":"1000"}'), false)
    assert.throws(() => Challenge.create({ secret, ...base, digest: mppxDigest }), Challenge.InvalidChallengeFieldsError)
  })
})
