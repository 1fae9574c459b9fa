// MPP payment method `evm`, intent `charge` (mpp-specs draft-evm-charge-00): the `request`
// the server offers, the credential `payload` a client returns, the challenge hash that binds an
// EIP-3009 authorization to one challenge, and the EIP-712 typed data that authorization signs.
import { encodePacked, getAddress, keccak256, maxUint256, type Address, type Hex, type TypedDataDefinition } from 'viem'
import { z } from 'zod'
import { InvalidChallengeError, MalformedCredentialError } from '@/lib/protocol/Problem'
import { describeIssue } from './internal/describeIssue'

export const method = 'evm'
export const intent = 'charge'

/** Uniswap's Permit2, deployed at the same address on every supported chain (spec default for `permit2Address`). */
export const canonicalPermit2Address: Address = '0x000000000022D473030F116dDEE9F6B43aC78BA3'

/** The spec caps splits at 10 entries and a split memo at 256 characters. */
export const maxSplits = 10
export const maxSplitMemoLength = 256

// --- wire primitives (shared with the x402 exact EVM codecs) ---------------------------------

const addressPattern = /^0x[0-9a-fA-F]{40}$/
const bytes32Pattern = /^0x[0-9a-fA-F]{64}$/
const hexBytesPattern = /^0x(?:[0-9a-fA-F]{2})+$/
// Canonical decimal: no sign, no leading zeros, at most 78 digits (the width of 2^256 - 1).
const uintPattern = /^(?:0|[1-9][0-9]{0,77})$/

/** A 0x-prefixed 20-byte hex address. Any casing: the spec compares addresses by value, not by string. */
export const AddressSchema = z.custom<Address>((value) => typeof value === 'string' && addressPattern.test(value), {
  message: 'expected a 0x-prefixed 20-byte hex address',
})

/** A 0x-prefixed 32-byte hex value (nonces, hashes). */
export const Bytes32Schema = z.custom<Hex>((value) => typeof value === 'string' && bytes32Pattern.test(value), {
  message: 'expected a 0x-prefixed 32-byte hex value',
})

/** 0x-prefixed hex of whole bytes: signatures (65 bytes for EOAs, longer for smart wallets), raw transactions. */
export const HexBytesSchema = z.custom<Hex>((value) => typeof value === 'string' && hexBytesPattern.test(value), {
  message: 'expected 0x-prefixed hex bytes',
})

/** A uint256 written as a canonical base-10 string, the way the specs carry amounts and timestamps. */
export const Uint256StringSchema = z.custom<string>(
  (value) => typeof value === 'string' && uintPattern.test(value) && BigInt(value) <= maxUint256,
  { message: 'expected a canonical base-10 uint256 string' },
)

// --- request --------------------------------------------------------------------------------

export const credentialTypes = ['permit2', 'authorization', 'transaction', 'hash'] as const
export type CredentialType = (typeof credentialTypes)[number]
export const CredentialTypeSchema = z.enum(credentialTypes)

export const SplitSchema = z.object({
  recipient: AddressSchema,
  amount: Uint256StringSchema,
  memo: z.string().max(maxSplitMemoLength).optional(),
})
export type Split = z.infer<typeof SplitSchema>

export const MethodDetailsSchema = z.object({
  chainId: z.int().positive(),
  // The spec's table marks this REQUIRED yet gives it a default; mppx omits it. Optional here.
  permit2Address: AddressSchema.optional(),
  credentialTypes: z.array(CredentialTypeSchema).min(1).optional(),
  decimals: z.int().min(0).max(255).optional(),
  splits: z.array(SplitSchema).min(1).max(maxSplits).optional(),
})
export type MethodDetails = z.infer<typeof MethodDetailsSchema>

export const RequestSchema = z
  .object({
    amount: Uint256StringSchema,
    currency: AddressSchema,
    recipient: AddressSchema,
    description: z.string().optional(),
    externalId: z.string().optional(),
    methodDetails: MethodDetailsSchema,
  })
  .superRefine((request, context) => {
    const splits = request.methodDetails.splits
    if (!splits) return
    const total = splits.reduce((sum, split) => sum + BigInt(split.amount), 0n)
    // The primary recipient receives the remainder, so splits must leave something for it.
    if (total >= BigInt(request.amount))
      context.addIssue({ code: 'custom', path: ['methodDetails', 'splits'], message: 'splits must sum to less than amount' })
  })
export type Request = z.infer<typeof RequestSchema>

export class InvalidRequestParametersError extends Error {
  override name = 'InvalidRequestParametersError'
}

export type CreateRequestParameters = {
  amount: bigint | string
  currency: Address
  recipient: Address
  chainId: number
  decimals?: number
  credentialTypes?: readonly CredentialType[]
  permit2Address?: Address
  splits?: readonly Split[]
  description?: string
  externalId?: string
}

/**
 * Builds an `evm`/`charge` request with EIP-55 addresses and no absent keys, ready for JCS.
 * Throws InvalidRequestParametersError on a configuration mistake (the server's, not a client's).
 */
export function createRequest(parameters: CreateRequestParameters): Request {
  const checksum = (address: Address, field: string): Address => {
    if (!addressPattern.test(address)) throw new InvalidRequestParametersError(`evm charge request: ${field} is not an address`)
    return toChecksum(address)
  }
  const methodDetails: Record<string, unknown> = { chainId: parameters.chainId }
  if (parameters.credentialTypes) methodDetails.credentialTypes = [...parameters.credentialTypes]
  if (parameters.decimals !== undefined) methodDetails.decimals = parameters.decimals
  if (parameters.permit2Address) methodDetails.permit2Address = checksum(parameters.permit2Address, 'permit2Address')
  if (parameters.splits)
    methodDetails.splits = parameters.splits.map((split) => ({
      recipient: checksum(split.recipient, 'splits.recipient'),
      amount: split.amount,
      ...(split.memo !== undefined ? { memo: split.memo } : {}),
    }))
  const request: Record<string, unknown> = {
    amount: parameters.amount.toString(),
    currency: checksum(parameters.currency, 'currency'),
    recipient: checksum(parameters.recipient, 'recipient'),
    methodDetails,
  }
  if (parameters.description !== undefined) request.description = parameters.description
  if (parameters.externalId !== undefined) request.externalId = parameters.externalId
  const parsed = RequestSchema.safeParse(request)
  if (!parsed.success) throw new InvalidRequestParametersError(`evm charge request: ${describeIssue(parsed.error)}`)
  return parsed.data
}

/** Validates a decoded `request` echoed in a credential. Throws InvalidChallengeError. */
export function parseRequest(value: unknown): Request {
  const parsed = RequestSchema.safeParse(value)
  if (!parsed.success) throw new InvalidChallengeError(`evm charge request is invalid: ${describeIssue(parsed.error)}`)
  return parsed.data
}

// --- credential payloads --------------------------------------------------------------------

/** `type="authorization"`: a signed EIP-3009 transferWithAuthorization, submitted by the server. */
export const AuthorizationPayloadSchema = z.object({
  type: z.literal('authorization'),
  from: AddressSchema,
  to: AddressSchema,
  value: Uint256StringSchema,
  validAfter: Uint256StringSchema,
  validBefore: Uint256StringSchema,
  nonce: Bytes32Schema,
  signature: HexBytesSchema,
})
export type AuthorizationPayload = z.infer<typeof AuthorizationPayloadSchema>

/** `type="hash"`: the payer broadcast an ERC-20 transfer itself and names the transaction. */
export const HashPayloadSchema = z.object({
  type: z.literal('hash'),
  hash: Bytes32Schema,
})
export type HashPayload = z.infer<typeof HashPayloadSchema>

/** `type="transaction"`: a signed EIP-1559 ERC-20 transfer (RLP, 0x-hex) for the server to broadcast. */
export const TransactionPayloadSchema = z.object({
  type: z.literal('transaction'),
  signature: HexBytesSchema,
})
export type TransactionPayload = z.infer<typeof TransactionPayloadSchema>

/** `type="permit2"`: a Permit2 (batch) witness transfer signature; the only type that carries splits. */
export const Permit2PayloadSchema = z
  .object({
    type: z.literal('permit2'),
    permit: z.object({
      permitted: z.array(z.object({ token: AddressSchema, amount: Uint256StringSchema })).min(1),
      nonce: Uint256StringSchema,
      deadline: Uint256StringSchema,
    }),
    transferDetails: z.array(z.object({ to: AddressSchema, requestedAmount: Uint256StringSchema })).min(1),
    witness: z.object({
      challengeHash: Bytes32Schema,
      externalId: z.string().optional(),
    }),
    signature: HexBytesSchema,
  })
  .superRefine((payload, context) => {
    if (payload.permit.permitted.length !== payload.transferDetails.length)
      context.addIssue({ code: 'custom', path: ['transferDetails'], message: 'must have one entry per permitted token' })
  })
export type Permit2Payload = z.infer<typeof Permit2PayloadSchema>

export const PayloadSchema = z.discriminatedUnion('type', [
  AuthorizationPayloadSchema,
  HashPayloadSchema,
  TransactionPayloadSchema,
  Permit2PayloadSchema,
])
export type Payload = z.infer<typeof PayloadSchema>

/** Validates a credential `payload` for `evm`/`charge`. Throws MalformedCredentialError. */
export function parsePayload(value: unknown): Payload {
  const parsed = PayloadSchema.safeParse(value)
  if (!parsed.success) throw new MalformedCredentialError(`evm charge payload is malformed: ${describeIssue(parsed.error)}`)
  return parsed.data
}

// --- challenge binding ----------------------------------------------------------------------

/**
 * The spec's `challengeHash`: keccak256(abi.encodePacked(challenge.id, challenge.realm)).
 * It is the EIP-3009 nonce of a `type="authorization"` credential (and the Permit2 witness).
 */
export function authorizationNonce(challengeId: string, realm: string): Hex {
  return keccak256(encodePacked(['string', 'string'], [challengeId, realm]))
}

/** The `did:pkh` payer identifier the spec recommends for a credential's `source`. */
export function payerSource(chainId: number, payer: Address): `did:pkh:eip155:${number}:${Address}` {
  return `did:pkh:eip155:${chainId}:${toChecksum(payer)}`
}

// --- EIP-3009 typed data ----------------------------------------------------------------------

export const transferWithAuthorizationTypes = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

/** The token's EIP-712 domain: its `name()` and `version`, the chain, and the token address. */
export type TokenDomain = {
  name: string
  version: string
  chainId: number
  verifyingContract: Address
}

/** EIP-3009 authorization fields as they travel on the wire (decimal strings, hex nonce). */
export type Authorization = {
  from: Address
  to: Address
  value: string
  validAfter: string
  validBefore: string
  nonce: Hex
}

export type TransferWithAuthorizationTypedData = TypedDataDefinition<typeof transferWithAuthorizationTypes, 'TransferWithAuthorization'>

/**
 * The EIP-712 typed data a payer signs for transferWithAuthorization, ready for viem's
 * verifyTypedData / recoverTypedDataAddress / signTypedData (spread it and add `signature`/`address`).
 */
export function transferWithAuthorizationTypedData(domain: TokenDomain, authorization: Authorization): TransferWithAuthorizationTypedData {
  return {
    domain: tokenDomain(domain),
    types: transferWithAuthorizationTypes,
    primaryType: 'TransferWithAuthorization',
    message: authorizationMessage(authorization),
  }
}

/** EIP-3009 receiveWithAuthorization: the same fields, but only `to` may submit it (the session escrow's token pull). */
export const receiveWithAuthorizationTypes = {
  ReceiveWithAuthorization: transferWithAuthorizationTypes.TransferWithAuthorization,
} as const

export type ReceiveWithAuthorizationTypedData = TypedDataDefinition<typeof receiveWithAuthorizationTypes, 'ReceiveWithAuthorization'>

/** The EIP-712 typed data a payer signs for receiveWithAuthorization (evm/session relayed open and topUp). */
export function receiveWithAuthorizationTypedData(domain: TokenDomain, authorization: Authorization): ReceiveWithAuthorizationTypedData {
  return {
    domain: tokenDomain(domain),
    types: receiveWithAuthorizationTypes,
    primaryType: 'ReceiveWithAuthorization',
    message: authorizationMessage(authorization),
  }
}

function tokenDomain(domain: TokenDomain): TokenDomain {
  return { name: domain.name, version: domain.version, chainId: domain.chainId, verifyingContract: toChecksum(domain.verifyingContract) }
}

function authorizationMessage(authorization: Authorization) {
  return {
    from: toChecksum(authorization.from),
    to: toChecksum(authorization.to),
    value: BigInt(authorization.value),
    validAfter: BigInt(authorization.validAfter),
    validBefore: BigInt(authorization.validBefore),
    nonce: authorization.nonce,
  }
}

// viem's typed-data encoder rejects a mixed-case address with a bad checksum; compare by value instead.
function toChecksum(address: Address): Address {
  return getAddress(address.toLowerCase())
}
