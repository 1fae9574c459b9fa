// The `request` of an `evm`/`session` challenge (draft-evm-session-00, Request Schema): the price of one
// unit, the token and payee, and `methodDetails` naming the chain, the escrow and the voucher rules.
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { InvalidRequestParametersError } from '@/lib/protocol/methods/evm'
import { describeIssue } from '@/lib/protocol/methods/internal/describeIssue'
import { InvalidChallengeError } from '@/lib/protocol/Problem'
import * as Wire from './internal/Wire'

/** The session's `payload.type` values: the shared EVM ones minus charge's signed-transaction path. */
export const credentialTypes = ['permit2', 'authorization', 'hash'] as const
export type CredentialType = (typeof credentialTypes)[number]

/** What a challenge accepts when it lists no `credentialTypes`. */
export const defaultCredentialTypes: readonly CredentialType[] = ['hash']

/** What Tollgate's escrow can back: it has no Permit2 functions, so `permit2` is never offered. */
export const supportedCredentialTypes = ['authorization', 'hash'] as const satisfies readonly CredentialType[]

export const MethodDetailsSchema = z.object({
  chainId: z.int().positive(),
  escrowContract: Wire.Address,
  channelId: Wire.Bytes32.optional(),
  minVoucherDelta: Wire.Uint128String.optional(),
  feePayer: z.boolean().optional(),
  credentialTypes: z.array(z.enum(credentialTypes)).min(1).optional(),
  permit2Contract: Wire.Address.optional(),
})
export type MethodDetails = z.infer<typeof MethodDetailsSchema>

export const RequestSchema = z.object({
  /** Price of one unit in base units (not a total). */
  amount: Wire.Uint128String,
  unitType: z.string().max(64).optional(),
  suggestedDeposit: Wire.Uint128String.optional(),
  currency: Wire.Address,
  recipient: Wire.Address,
  description: z.string().optional(),
  externalId: z.string().optional(),
  methodDetails: MethodDetailsSchema,
})
export type Request = z.infer<typeof RequestSchema>

export type CreateParameters = {
  /** Price per unit in base units. */
  amount: bigint | string
  unitType?: string
  suggestedDeposit?: bigint | string
  currency: Address
  recipient: Address
  chainId: number
  escrowContract: Address
  /** Suggest resuming this channel. */
  channelId?: Hex
  minVoucherDelta?: bigint | string
  /** The server submits open/topUp (needs `authorization` in credentialTypes). */
  feePayer?: boolean
  credentialTypes?: readonly CredentialType[]
  description?: string
  externalId?: string
}

/**
 * Builds an `evm`/`session` request with EIP-55 addresses and no absent keys, ready for JCS. Refuses what the
 * escrow cannot back (Relayed profile: never advertise a capability whose function is missing): `permit2`,
 * `authorization` without `feePayer: true`, and `feePayer: true` without `authorization`.
 * Throws InvalidRequestParametersError (a configuration mistake of the server's).
 */
export function create(parameters: CreateParameters): Request {
  const fail = (message: string): never => {
    throw new InvalidRequestParametersError(`evm session request: ${message}`)
  }
  const types = parameters.credentialTypes ?? (parameters.feePayer ? ['authorization', 'hash'] : undefined)
  if (types?.includes('permit2')) fail('permit2 is not offered: the escrow has no Permit2 functions')
  if (parameters.feePayer && !types?.includes('authorization')) fail('feePayer: true needs "authorization" in credentialTypes')
  if (!parameters.feePayer && types?.includes('authorization')) fail('"authorization" is server-submitted: set feePayer: true')
  if (BigInt(parameters.amount) <= 0n) fail('amount (the price per unit) must be positive')
  if (parameters.suggestedDeposit !== undefined && BigInt(parameters.suggestedDeposit) < BigInt(parameters.amount))
    fail('suggestedDeposit must cover at least one unit')

  const methodDetails: Record<string, unknown> = { chainId: parameters.chainId, escrowContract: parameters.escrowContract }
  if (parameters.channelId !== undefined) methodDetails.channelId = parameters.channelId
  if (parameters.minVoucherDelta !== undefined) methodDetails.minVoucherDelta = parameters.minVoucherDelta.toString()
  if (parameters.feePayer !== undefined) methodDetails.feePayer = parameters.feePayer
  if (types) methodDetails.credentialTypes = [...types]
  const request: Record<string, unknown> = {
    amount: parameters.amount.toString(),
    currency: parameters.currency,
    recipient: parameters.recipient,
    methodDetails,
  }
  if (parameters.unitType !== undefined) request.unitType = parameters.unitType
  if (parameters.suggestedDeposit !== undefined) request.suggestedDeposit = parameters.suggestedDeposit.toString()
  if (parameters.description !== undefined) request.description = parameters.description
  if (parameters.externalId !== undefined) request.externalId = parameters.externalId
  const parsed = RequestSchema.safeParse(request)
  if (!parsed.success) return fail(describeIssue(parsed.error))
  return parsed.data
}

/** Validates a decoded `request` echoed in a credential (or read from a 402 by a client). Throws InvalidChallengeError. */
export function parse(value: unknown): Request {
  const parsed = RequestSchema.safeParse(value)
  if (!parsed.success) throw new InvalidChallengeError(`evm session request is invalid: ${describeIssue(parsed.error)}`)
  return parsed.data
}

/** The credential types a request accepts, in the server's order of preference (default `["hash"]`). */
export function acceptedCredentialTypes(request: Request): readonly CredentialType[] {
  return request.methodDetails.credentialTypes ?? defaultCredentialTypes
}
