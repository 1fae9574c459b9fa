import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { MalformedCredentialError } from '@/lib/protocol/Problem'
import * as PaymentSignature from './PaymentSignature'
import type * as PaymentRequirements from './PaymentRequirements'

// The example from coinbase/x402 specs/transports-v2/http.md, byte for byte (note the '=' padding).
const specHeader =
  'eyJ4NDAyVmVyc2lvbiI6MiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20vcHJlbWl1bS1kYXRhIiwiZGVzY3JpcHRpb24iOiJBY2Nlc3MgdG8gcHJlbWl1bSBtYXJrZXQgZGF0YSIsIm1pbWVUeXBlIjoiYXBwbGljYXRpb24vanNvbiJ9LCJhY2NlcHRlZCI6eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQiOiIxMDAwMCIsImFzc2V0IjoiMHgwMzZDYkQ1Mzg0MmM1NDI2NjM0ZTc5Mjk1NDFlQzIzMThmM2RDRjdlIiwicGF5VG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJVU0RDIiwidmVyc2lvbiI6IjIifX0sInBheWxvYWQiOnsic2lnbmF0dXJlIjoiMHgyZDZhNzU4OGQ2YWNjYTUwNWNiZjBkOWE0YTIyN2UwYzUyYzZjMzQwMDhjOGU4OTg2YTEyODMyNTk3NjQxNzM2MDhhMmNlNjQ5NjY0MmUzNzdkNmRhOGRiYmY1ODM2ZTliZDE1MDkyZjllY2FiMDVkZWQzZDYyOTNhZjE0OGI1NzFjIiwiYXV0aG9yaXphdGlvbiI6eyJmcm9tIjoiMHg4NTdiMDY1MTlFOTFlM0E1NDUzODc5MWJEYmIwRTIyMzczZTM2YjY2IiwidG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJ2YWx1ZSI6IjEwMDAwIiwidmFsaWRBZnRlciI6IjE3NDA2NzIwODkiLCJ2YWxpZEJlZm9yZSI6IjE3NDA2NzIxNTQiLCJub25jZSI6IjB4ZjM3NDY2MTNjMmQ5MjBiNWZkYWJjMDg1NmYyYWViMmQ0Zjg4ZWU2MDM3YjhjYzVkMDRhNzFhNDQ2MmYxMzQ4MCJ9fX0='

const requirements: PaymentRequirements.ExactEvm = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
}

const authorization = {
  from: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
  to: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  value: '10000',
  validAfter: '1740672089',
  validBefore: '1740672154',
  nonce: '0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480',
} as const
const signature =
  '0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c'

const valid = {
  x402Version: 2,
  accepted: requirements,
  payload: { signature, authorization },
}

const encodeJson = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64')

describe('decode', () => {
  test('reads the spec example', () => {
    const decoded = PaymentSignature.decode(specHeader)
    assert.equal(decoded.x402Version, 2)
    assert.deepEqual(decoded.accepted, requirements)
    assert.deepEqual(decoded.resource, {
      url: 'https://api.example.com/premium-data',
      description: 'Access to premium market data',
      mimeType: 'application/json',
    })
    assert.equal(PaymentSignature.isEip3009(decoded.payload), true)
    assert.deepEqual(decoded.payload, { signature, authorization })
  })

  test('tolerates missing padding and surrounding whitespace', () => {
    assert.deepEqual(PaymentSignature.decode(` ${specHeader.replace(/=+$/, '')}\t`), PaymentSignature.decode(specHeader))
  })

  test('round-trips through encode', () => {
    const decoded = PaymentSignature.decode(specHeader)
    assert.deepEqual(PaymentSignature.decode(PaymentSignature.encode(decoded)), decoded)
  })

  test('reads a Permit2 payload (scheme_exact_evm.md section 2)', () => {
    const permit2 = {
      x402Version: 2,
      accepted: { ...requirements, extra: { assetTransferMethod: 'permit2', name: 'USDC', version: '2' } },
      payload: {
        signature,
        permit2Authorization: {
          permitted: { token: requirements.asset, amount: '10000' },
          from: authorization.from,
          spender: '0x402085c248EeA27D92E8b30b2C58ed07f9E20001',
          nonce: '33247007178036348590600198031289925668252061821958005840077069883511451257277',
          deadline: '1740672154',
          witness: { to: requirements.payTo, validAfter: '1740672089' },
        },
      },
    }
    const decoded = PaymentSignature.decode(encodeJson(permit2))
    assert.equal(PaymentSignature.isPermit2(decoded.payload), true)
    assert.equal(PaymentSignature.isEip3009(decoded.payload), false)
  })

  test('keeps unknown keys of accepted (they take part in matching) and drops unknown top-level keys', () => {
    const decoded = PaymentSignature.decode(encodeJson({ ...valid, accepted: { ...requirements, memo: 'x' }, future: 1 }))
    assert.equal((decoded.accepted as Record<string, unknown>).memo, 'x')
    assert.equal('future' in decoded, false)
  })

  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['not base64', '!!!'],
    [
      'base64url alphabet',
      encodeJson({ ...valid, resource: { url: 'https://t.test/?>~~~' } })
        .replace(/\+/g, '-')
        .replace(/\//g, '_'),
    ],
    ['whitespace inside', specHeader.slice(0, 40) + ' ' + specHeader.slice(40)],
    ['impossible length', 'abcde'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64')],
    ['not JSON', encodeJson('x402')],
    ['JSON null', encodeJson('null')],
    ['JSON array', encodeJson([valid])],
    ['version 1', encodeJson({ ...valid, x402Version: 1 })],
    ['version as string', encodeJson({ ...valid, x402Version: '2' })],
    ['no accepted', encodeJson({ ...valid, accepted: undefined })],
    ['no payload', encodeJson({ ...valid, payload: undefined })],
    ['other scheme', encodeJson({ ...valid, accepted: { ...requirements, scheme: 'upto' } })],
    ['non-EVM network', encodeJson({ ...valid, accepted: { ...requirements, network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' } })],
    ['v1 network name', encodeJson({ ...valid, accepted: { ...requirements, network: 'base-sepolia' } })],
    ['amount as number', encodeJson({ ...valid, accepted: { ...requirements, amount: 10000 } })],
    ['fractional timeout', encodeJson({ ...valid, accepted: { ...requirements, maxTimeoutSeconds: 1.5 } })],
    ['extra not an object', encodeJson({ ...valid, accepted: { ...requirements, extra: 'USDC' } })],
    ['no signature', encodeJson({ ...valid, payload: { authorization } })],
    ['odd-length signature', encodeJson({ ...valid, payload: { signature: '0xabc', authorization } })],
    ['short nonce', encodeJson({ ...valid, payload: { signature, authorization: { ...authorization, nonce: '0x1234' } } })],
    ['negative value', encodeJson({ ...valid, payload: { signature, authorization: { ...authorization, value: '-1' } } })],
    ['hex value', encodeJson({ ...valid, payload: { signature, authorization: { ...authorization, value: '0x10' } } })],
    [
      'value above uint256',
      encodeJson({ ...valid, payload: { signature, authorization: { ...authorization, value: (2n ** 256n).toString() } } }),
    ],
    ['timestamp as number', encodeJson({ ...valid, payload: { signature, authorization: { ...authorization, validBefore: 1740672154 } } })],
    ['bad from', encodeJson({ ...valid, payload: { signature, authorization: { ...authorization, from: 'alice' } } })],
    ['missing to', encodeJson({ ...valid, payload: { signature, authorization: { ...authorization, to: undefined } } })],
    ['both transfer methods', encodeJson({ ...valid, payload: { signature, authorization, permit2Authorization: {} } })],
    ['unknown payload key', encodeJson({ ...valid, payload: { signature, authorization, v: 27 } })],
    [
      'method mismatch',
      encodeJson({ ...valid, accepted: { ...requirements, extra: { ...requirements.extra, assetTransferMethod: 'permit2' } } }),
    ],
    [
      'unsupported method',
      encodeJson({ ...valid, accepted: { ...requirements, extra: { ...requirements.extra, assetTransferMethod: 'erc7710' } } }),
    ],
    ['resource without url', encodeJson({ ...valid, resource: { description: 'x' } })],
    ['extensions not a record', encodeJson({ ...valid, extensions: ['bazaar'] })],
    ['too long', 'A'.repeat(PaymentSignature.maxHeaderLength + 4)],
  ]
  for (const [name, header] of malformed)
    test(`rejects ${name} with MalformedCredentialError`, () => {
      assert.throws(() => PaymentSignature.decode(header), MalformedCredentialError)
    })

  test('parse applies the same validation to already-parsed JSON', () => {
    assert.deepEqual(PaymentSignature.parse(valid).payload, { signature, authorization })
    assert.throws(() => PaymentSignature.parse({ ...valid, x402Version: 1 }), MalformedCredentialError)
  })
})

describe('matchAccepted', () => {
  const other: PaymentRequirements.ExactEvm = {
    ...requirements,
    network: 'eip155:8453',
    asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    extra: { name: 'USD Coin', version: '2' },
  }

  test('finds the requirement the client accepted, whatever the key order', () => {
    const { extra, maxTimeoutSeconds, ...rest } = requirements
    const reordered = PaymentSignature.parse({
      ...valid,
      accepted: { extra: { version: '2', name: 'USDC' }, maxTimeoutSeconds, ...rest },
    }).accepted
    assert.equal(PaymentSignature.matchAccepted(reordered, [other, requirements]), requirements)
    assert.equal(
      PaymentSignature.matchAccepted(PaymentSignature.parse({ ...valid, accepted: other }).accepted, [requirements, other]),
      other,
    )
    assert.deepEqual(extra, requirements.extra)
  })

  test('finds nothing when any field differs', () => {
    const variants: Array<Record<string, unknown>> = [
      { ...requirements, amount: '9999' },
      { ...requirements, payTo: requirements.payTo.toLowerCase() },
      { ...requirements, maxTimeoutSeconds: 61 },
      { ...requirements, network: 'eip155:8453' },
      { ...requirements, extra: { name: 'USDC', version: '1' } },
      { ...requirements, extra: { name: 'USDC' } },
      { ...requirements, extra: undefined },
      // The reference SDK lets `accepted.extra` carry keys the server did not offer; the spec
      // says `accepted` is the chosen PaymentRequirements, so Tollgate requires it exactly.
      { ...requirements, extra: { ...requirements.extra, assetTransferMethod: 'eip3009' } },
      { ...requirements, extra: { ...requirements.extra, salt: '1' } },
      { ...requirements, memo: 'x' },
    ]
    for (const accepted of variants) {
      const decoded = PaymentSignature.parse({ ...valid, accepted }).accepted
      assert.equal(PaymentSignature.matchAccepted(decoded, [requirements, other]), undefined, JSON.stringify(accepted))
    }
  })

  test('finds nothing in an empty offer', () => {
    assert.equal(PaymentSignature.matchAccepted(PaymentSignature.parse(valid).accepted, []), undefined)
  })
})
