// Browser-safe and zod-free: exactly the wire values the checkout sends and reads, so the wallet
// path stays small. Each function is tested equal to its lib/protocol counterpart (wire.test.ts),
// which remains the one definition the server verifies against.
import { keccak256, stringToBytes } from 'viem'
import * as Base64Url from '@/lib/protocol/Base64Url'
import type { Challenge } from '@/lib/protocol/Challenge'
import * as Jcs from '@/lib/protocol/Jcs'

export type Hex = `0x${string}`

/** `Payment <base64url(JCS({challenge: echo, payload, source?}))>`, as Credential.serialize writes it. */
export function serializeCredential(credential: { challenge: Challenge; payload: Record<string, unknown>; source?: string }): string {
  const c = credential.challenge
  const echo: Record<string, unknown> = { id: c.id, realm: c.realm, method: c.method, intent: c.intent, request: encodeJson(c.request) }
  if (c.expires !== undefined) echo.expires = c.expires
  if (c.description !== undefined) echo.description = c.description
  if (c.digest !== undefined) echo.digest = c.digest
  if (c.opaque !== undefined) echo.opaque = encodeJson(c.opaque)
  if (c.header !== undefined) echo.header = c.header
  const wire: Record<string, unknown> = { challenge: echo, payload: credential.payload }
  if (credential.source !== undefined) wire.source = credential.source
  return `Payment ${Base64Url.encode(Jcs.canonicalize(wire))}`
}

/** The EIP-3009 nonce of an evm/charge credential: keccak256(abi.encodePacked(id, realm)). */
export function authorizationNonce(challengeId: string, realm: string): Hex {
  // encodePacked of two strings is their UTF-8 bytes, back to back.
  return keccak256(stringToBytes(challengeId + realm))
}

export type Authorization = { from: Hex; to: Hex; value: string; validAfter: string; validBefore: string; nonce: Hex }
export type TokenDomain = { name: string; version: string; chainId: number; verifyingContract: Hex }

/** The `eth_signTypedData_v4` document for transferWithAuthorization (uint256 values as decimal strings). */
export function transferWithAuthorizationJson(domain: TokenDomain, authorization: Authorization): string {
  return JSON.stringify({
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
        { name: 'verifyingContract', type: 'address' },
      ],
      TransferWithAuthorization: [
        { name: 'from', type: 'address' },
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'validAfter', type: 'uint256' },
        { name: 'validBefore', type: 'uint256' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    domain,
    primaryType: 'TransferWithAuthorization',
    message: authorization,
  })
}

/** The `did:pkh` payer id a credential's `source` carries. */
export function payerSource(chainId: number, payer: Hex): string {
  return `did:pkh:eip155:${chainId}:${payer}`
}

export type ReceiptFields = { status: 'success'; method: string; reference: string; timestamp: string; chainId?: number }

/** Reads a `Payment-Receipt` for display; null when it is not one. The server's receipt is authoritative. */
export function decodeReceipt(header: string): ReceiptFields | null {
  try {
    const value = Base64Url.decodeJson(header.trim()) as Record<string, unknown>
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
    const { status, method, reference, timestamp, chainId } = value
    if (
      status !== 'success' ||
      typeof method !== 'string' ||
      typeof reference !== 'string' ||
      typeof timestamp !== 'string' ||
      Number.isNaN(Date.parse(timestamp))
    )
      return null
    return { status, method, reference, timestamp, ...(typeof chainId === 'number' ? { chainId } : {}) }
  } catch {
    return null
  }
}

// ---- ERC-20 calls, ABI-encoded by hand (two fixed selectors) ---------------------------------

/** `balanceOf(address)` calldata. */
export function balanceOfData(account: Hex): Hex {
  return `0x70a08231${word(BigInt(account))}`
}

/** `transfer(address,uint256)` calldata. */
export function transferData(to: Hex, amount: bigint): Hex {
  return `0xa9059cbb${word(BigInt(to))}${word(amount)}`
}

/** A uint256 return value. */
export function decodeUint256(data: string): bigint {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(data)) throw new Error('expected one 32-byte word')
  return BigInt(data)
}

function word(value: bigint): string {
  if (value < 0n || value >= 1n << 256n) throw new RangeError('value does not fit in 32 bytes')
  return value.toString(16).padStart(64, '0')
}

function encodeJson(value: Record<string, unknown>): string {
  return Base64Url.encode(Jcs.canonicalize(value))
}
