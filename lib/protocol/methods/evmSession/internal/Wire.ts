// Wire primitives of evm/session payloads: parsed values come out normalized (addresses EIP-55, hex
// lowercase as the spec's Encoding Conventions require), so a channelId is one database key whatever its casing.
import { getAddress, type Address as Checksummed, type Hex } from 'viem'
import { AddressSchema, Bytes32Schema, HexBytesSchema, Uint256StringSchema } from '@/lib/protocol/methods/evm'

/** 2^128 - 1: every channel amount is a uint128 on chain. */
export const maxUint128 = 2n ** 128n - 1n

/** Signatures longer than this are refused before any work (an ERC-1271 wallet's are a few hundred bytes). */
export const maxSignatureBytes = 4096

export const Address = AddressSchema.transform((value): Checksummed => getAddress(value.toLowerCase()))

export const Bytes32 = Bytes32Schema.transform((value) => value.toLowerCase() as Hex)

export const Signature = HexBytesSchema.refine((value) => value.length <= 2 + 2 * maxSignatureBytes, {
  message: `expected at most ${maxSignatureBytes} bytes`,
}).transform((value) => value.toLowerCase() as Hex)

/** A uint128 as a canonical base-10 string (amounts, deposits). */
export const Uint128String = Uint256StringSchema.refine((value) => BigInt(value) <= maxUint128, {
  message: 'expected a uint128 (at most 2^128 - 1)',
})

export const PositiveUint128String = Uint128String.refine((value) => value !== '0', { message: 'must be greater than 0' })

/** Unix seconds as a canonical base-10 uint256 string (EIP-3009 validAfter / validBefore). */
export const Uint256String = Uint256StringSchema

export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}
