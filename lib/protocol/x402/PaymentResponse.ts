// x402 v2 `SettlementResponse` (specs/x402-specification-v2.md 5.3) and its `PAYMENT-RESPONSE`
// header form: standard base64 of the JSON (specs/transports-v2/http.md).
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import * as Base64 from './internal/base64'
import { describeIssue } from './internal/describeIssue'
import type { Network } from './PaymentRequirements'

export type PaymentResponse = {
  success: boolean
  /** Reason code (e.g. `insufficient_funds`) when settlement failed; absent on success. */
  errorReason?: string
  /** Transaction hash; the empty string when settlement failed. */
  transaction: Hex | ''
  network: Network
  payer?: Address
  /** Settled atomic amount, only where it can differ from the requirement. */
  amount?: string
}

export function success(parameters: { transaction: Hex; network: Network; payer: Address; amount?: string }): PaymentResponse {
  return {
    success: true,
    transaction: parameters.transaction,
    network: parameters.network,
    payer: parameters.payer,
    ...(parameters.amount !== undefined ? { amount: parameters.amount } : {}),
  }
}

export function failure(parameters: { errorReason: string; network: Network; payer?: Address; transaction?: Hex }): PaymentResponse {
  return {
    success: false,
    errorReason: parameters.errorReason,
    transaction: parameters.transaction ?? '',
    network: parameters.network,
    ...(parameters.payer !== undefined ? { payer: parameters.payer } : {}),
  }
}

/** The `PAYMENT-RESPONSE` header value. */
export function encode(paymentResponse: PaymentResponse): string {
  return Base64.encode(JSON.stringify(paymentResponse))
}

export class InvalidPaymentResponseError extends Error {
  override name = 'InvalidPaymentResponseError'
}

const PaymentResponseSchema = z.object({
  success: z.boolean(),
  errorReason: z.string().optional(),
  transaction: z.custom<Hex | ''>((value) => typeof value === 'string' && /^(?:0x[0-9a-fA-F]*)?$/.test(value)),
  network: z.custom<Network>((value) => typeof value === 'string' && /^eip155:[1-9][0-9]*$/.test(value)),
  payer: z.custom<Address>((value) => typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)).optional(),
  amount: z.string().optional(),
})

/** Reads a `PAYMENT-RESPONSE` header back (tests, diagnostics). Throws InvalidPaymentResponseError. */
export function decode(header: string): PaymentResponse {
  const text = Base64.decode(header.trim())
  if (text === undefined) throw new InvalidPaymentResponseError('header is not standard base64 of UTF-8 text')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new InvalidPaymentResponseError('header does not carry JSON')
  }
  const parsed = PaymentResponseSchema.safeParse(json)
  if (!parsed.success) throw new InvalidPaymentResponseError(describeIssue(parsed.error))
  return parsed.data
}
