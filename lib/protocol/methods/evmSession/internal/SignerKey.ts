// A voucher signer's public key, kept once it was recovered, so later vouchers of the same signer are checked
// against it (about a third of a recovery: the key's multiples are precomputed once) with exactly the outcome of
// recovering the signer: a canonical signature (r, s, v) over digest z recovers the key Q if and only if
// u1·G + u2·Q, with u1 = z/s and u2 = r/s mod n, is the point R whose x is r and whose y has parity v - 27.
import { mod, invert } from '@noble/curves/abstract/modular'
import { secp256k1 } from '@noble/curves/secp256k1'
import { type Address, type Hex, getAddress, keccak256 } from 'viem'
import { RecentlyUsed } from '@/lib/cache/recently-used'

const Point = secp256k1.ProjectivePoint
type Point = InstanceType<typeof Point>
const { n } = secp256k1.CURVE

/** Window of the precomputed multiples of a kept key: 520 points (about 100 kB), a multiplication in ~65 additions. */
const windowSize = 4

export type SignerKey = { readonly address: Address; readonly point: Point }

/** The parts of a 65-byte r || s || v signature (v is 27 or 28: Voucher.ecdsaSignatureProblem checked it). */
function parts(signature: Hex): { r: bigint; s: bigint; recovery: number } {
  return {
    r: BigInt(`0x${signature.slice(2, 66)}`),
    s: BigInt(`0x${signature.slice(66, 130)}`),
    recovery: Number.parseInt(signature.slice(130, 132), 16) - 27,
  }
}

/** Recovers the signer of `digest` (a full recovery); throws when the signature recovers no key. */
export function recover(digest: Hex, signature: Hex): SignerKey {
  const { r, s, recovery } = parts(signature)
  const point = new secp256k1.Signature(r, s).addRecoveryBit(recovery).recoverPublicKey(digest.slice(2))
  const uncompressed = point.toHex(false)
  const address = getAddress(`0x${keccak256(`0x${uncompressed.slice(2)}`).slice(26)}`)
  const prepared = Point.fromHex(uncompressed)
  prepared._setWindowSize(windowSize)
  return { address, point: prepared }
}

/** Whether recovering `signature` over `digest` gives `key` (the same answer as recover(...).address, without recovering). */
export function recoversTo(key: SignerKey, digest: Hex, signature: Hex): boolean {
  const { r, s, recovery } = parts(signature)
  if (r <= 0n || r >= n || s <= 0n || s >= n || (recovery !== 0 && recovery !== 1)) return false
  const z = mod(BigInt(digest), n)
  const sInverse = invert(s, n)
  const u1 = mod(z * sInverse, n)
  const u2 = mod(r * sInverse, n)
  // `multiply`, not `multiplyUnsafe`: in @noble/curves 1.9.1 the unsafe one gives wrong points for precomputed points (G, a kept key).
  const sum = (u1 === 0n ? Point.ZERO : Point.BASE.multiply(u1)).add(key.point.multiply(u2))
  if (sum.equals(Point.ZERO)) return false
  const { x, y } = sum.toAffine()
  return x === r && Number(y & 1n) === recovery
}

/** Recovered keys by signer address, the most recently used kept (a bounded, per-process cache of public facts). */
export class SignerKeys {
  readonly #keys: RecentlyUsed<SignerKey>
  constructor(limit = 256) {
    this.#keys = new RecentlyUsed(limit)
  }

  get(address: Address): SignerKey | undefined {
    return this.#keys.get(address.toLowerCase())
  }

  remember(signer: SignerKey): void {
    this.#keys.set(signer.address.toLowerCase(), signer)
  }
}
