// The SSE events of a metered stream (draft-evm-session-00, Insufficient Balance During Streaming and
// Receipt Generation): `payment-need-voucher` when the balance runs out (delivery pauses until a voucher
// for `requiredCumulative` arrives), and the final `payment-receipt`.
import type { Hex } from 'viem'
import { z } from 'zod'
import * as CoreReceipt from '@/lib/protocol/Receipt'
import * as Wire from './internal/Wire'
import * as SessionReceipt from './Receipt'

export const needVoucherEvent = 'payment-need-voucher'
export const receiptEvent = 'payment-receipt'

export type NeedVoucher = {
  channelId: Hex
  /** The smallest cumulative amount the next voucher must authorize. */
  requiredCumulative: bigint
  acceptedCumulative: bigint
  /** The channel's current on-chain deposit; a `requiredCumulative` above it needs a topUp first. */
  deposit: bigint
}

/** Thrown for event data that is not what the spec defines (the stream is the server's, but still untrusted). */
export class MalformedSessionEventError extends Error {
  override name = 'MalformedSessionEventError'
}

const NeedVoucherSchema = z.object({
  channelId: Wire.Bytes32,
  requiredCumulative: Wire.Uint128String,
  acceptedCumulative: Wire.Uint128String,
  deposit: Wire.Uint128String,
})

/** The `data` of a `payment-need-voucher` event (one line of JSON, amounts as decimal strings). */
export function formatNeedVoucher(event: NeedVoucher): string {
  return JSON.stringify({
    channelId: event.channelId.toLowerCase(),
    requiredCumulative: event.requiredCumulative.toString(),
    acceptedCumulative: event.acceptedCumulative.toString(),
    deposit: event.deposit.toString(),
  })
}

export function parseNeedVoucher(data: string): NeedVoucher {
  const parsed = NeedVoucherSchema.safeParse(parseJson(data, needVoucherEvent))
  if (!parsed.success)
    throw new MalformedSessionEventError(`${needVoucherEvent} data is invalid: ${parsed.error.issues[0]?.path.join('.')}`)
  const { channelId, requiredCumulative, acceptedCumulative, deposit } = parsed.data
  if (BigInt(requiredCumulative) <= BigInt(acceptedCumulative))
    throw new MalformedSessionEventError(`${needVoucherEvent}: requiredCumulative must be above acceptedCumulative`)
  return {
    channelId,
    requiredCumulative: BigInt(requiredCumulative),
    acceptedCumulative: BigInt(acceptedCumulative),
    deposit: BigInt(deposit),
  }
}

/** The `data` of a `payment-receipt` event: the receipt's JSON. */
export function formatReceipt(receipt: SessionReceipt.Receipt): string {
  return JSON.stringify(receipt)
}

export function parseReceipt(data: string): SessionReceipt.Receipt {
  try {
    return SessionReceipt.parse(CoreReceipt.fromJSON(parseJson(data, receiptEvent)))
  } catch (cause) {
    if (cause instanceof MalformedSessionEventError) throw cause
    throw new MalformedSessionEventError(`${receiptEvent} data is not a session receipt: ${(cause as Error).message}`, { cause })
  }
}

function parseJson(data: string, event: string): unknown {
  try {
    return JSON.parse(data)
  } catch (cause) {
    throw new MalformedSessionEventError(`${event} data is not JSON`, { cause })
  }
}
