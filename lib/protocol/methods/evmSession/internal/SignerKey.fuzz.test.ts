// Properties: checking a signature against a kept key gives exactly the answer of recovering it (honest
// signatures, the other recovery bit, another signer, any byte changed, arbitrary r and s); the fast voucher
// digest equals viem's EIP-712 hashTypedData; Voucher.verify decides the same with and without kept keys.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { type Hex, bytesToHex, getAddress, hashTypedData, hexToBytes, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { sign } from 'viem/accounts'
import { PaymentProblem } from '@/lib/protocol/Problem'
import * as Voucher from '../Voucher'
import * as SignerKey from './SignerKey'

// Recovery costs about a millisecond: fewer runs than the pure parsers.
const numRuns = 300

const privateKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((bytes) => {
  const k = BigInt(bytesToHex(bytes))
  return k > 0n && k < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
})
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => bytesToHex(bytes))

function recoveredAddress(digestHex: Hex, signature: Hex): string | null {
  try {
    return SignerKey.recover(digestHex, signature).address
  } catch {
    return null
  }
}

async function signed(key: Uint8Array, digestHex: Hex): Promise<Hex> {
  const { r, s, yParity } = await sign({ hash: digestHex, privateKey: bytesToHex(key) })
  return `0x${r.slice(2).padStart(64, '0')}${s.slice(2).padStart(64, '0')}${(27 + yParity!).toString(16)}`
}

test('recover gives the address viem derives for the signing key', async () => {
  await fc.assert(
    fc.asyncProperty(privateKey, digest, async (key, digestHex) => {
      const signature = await signed(key, digestHex)
      assert.equal(SignerKey.recover(digestHex, signature).address, privateKeyToAccount(bytesToHex(key)).address)
    }),
    { numRuns: 100 },
  )
})

test('recoversTo(kept key) is exactly "recovers to that key": honest, other recovery bit, other signer, one byte changed', async () => {
  await fc.assert(
    fc.asyncProperty(
      privateKey,
      privateKey,
      digest,
      digest,
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: 0, max: 255 }),
      async (key, otherKey, digestHex, otherDigest, index, xor) => {
        const signature = await signed(key, digestHex)
        const kept = SignerKey.recover(digestHex, signature)
        const bytes = hexToBytes(signature)
        bytes[index] = bytes[index]! ^ xor
        const changed = bytesToHex(bytes)
        const flipped = `${signature.slice(0, 130)}${signature.endsWith('1b') ? '1c' : '1b'}` as Hex
        const candidates: Array<[Hex, Hex]> = [
          [digestHex, signature],
          [digestHex, flipped],
          [otherDigest, signature],
          [digestHex, changed],
          [digestHex, await signed(otherKey, digestHex)],
        ]
        for (const [d, sig] of candidates) {
          const v = Number.parseInt(sig.slice(130), 16)
          if (v !== 27 && v !== 28) continue // refused before any recovery (Voucher.ecdsaSignatureProblem)
          assert.equal(SignerKey.recoversTo(kept, d, sig), recoveredAddress(d, sig) === kept.address, `${d} ${sig}`)
        }
      },
    ),
    { numRuns },
  )
})

test('arbitrary r and s against a kept key: never true unless recovery agrees, never throws', async () => {
  const kept = SignerKey.recover(keccak256('0x01'), await signed(new Uint8Array(32).fill(7), keccak256('0x01')))
  await fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
      fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
      fc.boolean(),
      digest,
      (r, s, odd, d) => {
        const signature = `0x${toHex(r, { size: 32 }).slice(2)}${toHex(s, { size: 32 }).slice(2)}${odd ? '1c' : '1b'}` as Hex
        assert.equal(SignerKey.recoversTo(kept, d, signature), recoveredAddress(d, signature) === kept.address)
      },
    ),
    { numRuns },
  )
})

test('Voucher.hash equals viem hashTypedData for any chain, escrow, channel and uint128 amount', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 40 }),
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      digest,
      fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
      (chainId, escrowBytes, channelId, cumulativeAmount) => {
        const domain = { chainId, escrow: getAddress(bytesToHex(escrowBytes)) }
        const message = { channelId, cumulativeAmount }
        assert.equal(Voucher.hash(domain, message), hashTypedData(Voucher.typedData(domain, message)))
      },
    ),
    { numRuns: 2_000 },
  )
})

test('Voucher.verify: the same outcome with a kept key as without, for a valid signature with any one byte changed', async () => {
  const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
  const domain = { chainId: 31337, escrow: '0x1234567890AbcdEF1234567890aBcdef12345678' } as const
  const channelId: Hex = `0x${'6d'.repeat(32)}`
  const channel: Voucher.ChannelState = { channelId, payer: payer.address, deposit: 10_000n, closeRequestedAt: 0n, finalized: false }
  const signerKeys = new Voucher.SignerKeys()
  const first = await payer.signTypedData(Voucher.typedData(domain, { channelId, cumulativeAmount: 1n }))
  await Voucher.verify({
    domain,
    channel,
    voucher: { channelId, cumulativeAmount: 1n, signature: first },
    acceptedCumulative: 0n,
    signerKeys,
  })
  assert.ok(signerKeys.get(payer.address), 'the payer key is kept after a verified voucher')
  const outcome = (run: Promise<Voucher.Outcome>) =>
    run.then(
      (value) => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
      (error: unknown) => (error instanceof PaymentProblem ? `${error.code}: ${error.detail}` : 'not a problem'),
    )
  await fc.assert(
    fc.asyncProperty(
      fc.bigInt({ min: 0n, max: 1_000n }),
      fc.integer({ min: -1, max: 64 }),
      fc.integer({ min: 1, max: 255 }),
      async (amount, index, xor) => {
        const signature = await payer.signTypedData(Voucher.typedData(domain, { channelId, cumulativeAmount: amount }))
        const bytes = hexToBytes(signature)
        if (index >= 0) bytes[index] = bytes[index]! ^ xor
        const voucher = { channelId, cumulativeAmount: amount, signature: bytesToHex(bytes) }
        const [kept, plain] = await Promise.all([
          outcome(Voucher.verify({ domain, channel, voucher, acceptedCumulative: 500n, signerKeys })),
          outcome(Voucher.verify({ domain, channel, voucher, acceptedCumulative: 500n })),
        ])
        assert.equal(kept, plain)
      },
    ),
    { numRuns },
  )
})
