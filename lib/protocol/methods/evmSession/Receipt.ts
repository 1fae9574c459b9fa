// Session receipts (draft-evm-session-00, Receipt Generation): on every paid response, in the
// `Payment-Receipt` header and, for SSE, as the final `payment-receipt` event. `reference` is the channelId.
import type { Hex } from 'viem'
import { z } from 'zod'
import * as CoreReceipt from '@/lib/protocol/Receipt'
import * as Wire from './internal/Wire'

export type Receipt = CoreReceipt.Receipt & {
  method: 'evm'
  intent: 'session'
  challengeId: string
  /** Equal to `reference`. */
  channelId: Hex
  chainId: number
  /** Highest voucher accepted, base units. */
  acceptedCumulative: string
  /** Total charged for delivered service, base units. */
  spent: string
  /** Units consumed by this request. */
  units?: number
  /** The settle/close transaction, when this response involved one. */
  txHash?: Hex
  confirmations?: number
}

const SessionFieldsSchema = z.object({
  method: z.literal('evm'),
  intent: z.literal('session'),
  challengeId: z.string().min(1),
  reference: Wire.Bytes32,
  channelId: Wire.Bytes32,
  chainId: z.int().positive(),
  acceptedCumulative: Wire.Uint128String,
  spent: Wire.Uint128String,
  units: z.int().nonnegative().optional(),
  txHash: Wire.Bytes32.optional(),
  confirmations: z.int().nonnegative().optional(),
})

export type CreateParameters = {
  challengeId: string
  channelId: Hex
  chainId: number
  acceptedCumulative: bigint
  spent: bigint
  units?: number
  txHash?: Hex
  confirmations?: number
  timestamp?: Date | string
}

/** Builds a session receipt (lowercase channelId as `reference`); pass it to Receipt.serialize for the header. */
export function create(parameters: CreateParameters): Receipt {
  const channelId = parameters.channelId.toLowerCase() as Hex
  const fields: CoreReceipt.FromParameters = {
    method: 'evm',
    intent: 'session',
    reference: channelId,
    timestamp: parameters.timestamp ?? new Date(),
    challengeId: parameters.challengeId,
    channelId,
    chainId: parameters.chainId,
    acceptedCumulative: parameters.acceptedCumulative.toString(),
    spent: parameters.spent.toString(),
  }
  if (parameters.units !== undefined) fields.units = parameters.units
  if (parameters.txHash !== undefined) fields.txHash = parameters.txHash.toLowerCase()
  if (parameters.confirmations !== undefined) fields.confirmations = parameters.confirmations
  const receipt = CoreReceipt.from(fields)
  const parsed = SessionFieldsSchema.safeParse(receipt)
  if (!parsed.success) throw new CoreReceipt.InvalidReceiptFieldsError(`session receipt: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return receipt as Receipt
}

/**
 * Checks that a decoded receipt (Receipt.deserialize, or a `payment-receipt` event) is a session receipt whose
 * reference is its channelId. Throws MalformedReceiptError.
 */
export function parse(receipt: CoreReceipt.Receipt): Receipt {
  const parsed = SessionFieldsSchema.safeParse(receipt)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CoreReceipt.MalformedReceiptError(`session receipt ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`)
  }
  if (parsed.data.reference !== parsed.data.channelId)
    throw new CoreReceipt.MalformedReceiptError('session receipt reference must equal channelId')
  return { ...receipt, ...parsed.data } as Receipt
}
