// x402 v2 `PaymentRequired` (specs/x402-specification-v2.md 5.1) and its `PAYMENT-REQUIRED`
// header form: standard base64 of the JSON (specs/transports-v2/http.md).
import { z } from 'zod'
import * as Base64 from './internal/base64'
import { describeIssue } from './internal/describeIssue'
import * as PaymentRequirements from './PaymentRequirements'
import * as Evm from '@/lib/protocol/methods/evm'

export type ResourceInfo = {
  url: string
  description?: string
  mimeType?: string
}

export type PaymentRequired = {
  x402Version: 2
  error?: string
  resource: ResourceInfo
  accepts: PaymentRequirements.ExactEvm[]
  extensions?: Record<string, unknown>
}

export class InvalidPaymentRequiredError extends Error {
  override name = 'InvalidPaymentRequiredError'
}

export type FromParameters = {
  resource: ResourceInfo
  accepts: readonly PaymentRequirements.ExactEvm[]
  error?: string
  extensions?: Record<string, unknown>
}

/** Assembles a PaymentRequired in the spec's field order, leaving absent options out. */
export function from(parameters: FromParameters): PaymentRequired {
  if (parameters.accepts.length === 0) throw new InvalidPaymentRequiredError('accepts must name at least one way to pay')
  if (parameters.resource.url === '') throw new InvalidPaymentRequiredError('resource.url is required')
  const resource: ResourceInfo = { url: parameters.resource.url }
  if (parameters.resource.description !== undefined) resource.description = parameters.resource.description
  if (parameters.resource.mimeType !== undefined) resource.mimeType = parameters.resource.mimeType
  return {
    x402Version: 2,
    ...(parameters.error !== undefined ? { error: parameters.error } : {}),
    resource,
    accepts: [...parameters.accepts],
    ...(parameters.extensions !== undefined ? { extensions: parameters.extensions } : {}),
  }
}

/** The `PAYMENT-REQUIRED` header value. */
export function encode(paymentRequired: PaymentRequired): string {
  return Base64.encode(JSON.stringify(paymentRequired))
}

const RequirementsSchema = z.object({
  scheme: z.literal('exact'),
  network: z.string().regex(/^eip155:[1-9][0-9]*$/),
  amount: Evm.Uint256StringSchema,
  asset: Evm.AddressSchema,
  payTo: Evm.AddressSchema,
  maxTimeoutSeconds: z.int().positive(),
  extra: z.object({
    assetTransferMethod: z.enum(['eip3009', 'permit2']).optional(),
    name: z.string().min(1),
    version: z.string().min(1),
  }),
})

const PaymentRequiredSchema = z.object({
  x402Version: z.literal(2),
  error: z.string().optional(),
  resource: z.object({ url: z.string().min(1), description: z.string().optional(), mimeType: z.string().optional() }),
  accepts: z.array(RequirementsSchema).min(1),
  extensions: z.record(z.string(), z.unknown()).optional(),
})

/** Reads a `PAYMENT-REQUIRED` header back (tests, diagnostics). Throws InvalidPaymentRequiredError. */
export function decode(header: string): PaymentRequired {
  const text = Base64.decode(header.trim())
  if (text === undefined) throw new InvalidPaymentRequiredError('header is not standard base64 of UTF-8 text')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new InvalidPaymentRequiredError('header does not carry JSON')
  }
  const parsed = PaymentRequiredSchema.safeParse(json)
  if (!parsed.success) throw new InvalidPaymentRequiredError(describeIssue(parsed.error))
  return parsed.data as PaymentRequired
}
