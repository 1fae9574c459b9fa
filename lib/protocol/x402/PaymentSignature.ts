// x402 v2 `PaymentPayload` for the `exact` EVM scheme, as a client sends it in the
// `PAYMENT-SIGNATURE` header (specs/x402-specification-v2.md 5.2, scheme_exact_evm.md,
// transports-v2/http.md). Everything in it is untrusted: decode() validates it strictly.
import { z } from 'zod'
import { MalformedCredentialError } from '@/lib/protocol/Problem'
import * as Evm from '@/lib/protocol/methods/evm'
import * as Base64 from './internal/base64'
import { describeIssue } from './internal/describeIssue'
import { jsonEqual } from './internal/jsonEqual'
import type { ResourceInfo } from './PaymentRequired'
import * as PaymentRequirements from './PaymentRequirements'

/** Longer than any honest payload (a smart-wallet signature included), short enough to bound parsing. */
export const maxHeaderLength = 32 * 1024

const NetworkSchema = z.custom<PaymentRequirements.Network>(
  (value) => typeof value === 'string' && PaymentRequirements.chainIdOf(value) !== undefined,
  { message: 'expected an eip155:<chainId> network' },
)

// Unknown keys are kept: `accepted` must deep-equal one of our requirements, extras included.
const AcceptedSchema = z.looseObject({
  scheme: z.literal('exact'),
  network: NetworkSchema,
  amount: Evm.Uint256StringSchema,
  asset: Evm.AddressSchema,
  payTo: Evm.AddressSchema,
  maxTimeoutSeconds: z.int().positive(),
  extra: z.record(z.string(), z.unknown()).optional(),
})
export type Accepted = z.infer<typeof AcceptedSchema>

const AuthorizationSchema = z.object({
  from: Evm.AddressSchema,
  to: Evm.AddressSchema,
  value: Evm.Uint256StringSchema,
  validAfter: Evm.Uint256StringSchema,
  validBefore: Evm.Uint256StringSchema,
  nonce: Evm.Bytes32Schema,
})

// Strict at this level so a payload cannot be read as both transfer methods at once.
const Eip3009PayloadSchema = z.strictObject({
  signature: Evm.HexBytesSchema,
  authorization: AuthorizationSchema,
})
export type Eip3009Payload = z.infer<typeof Eip3009PayloadSchema>

const Permit2PayloadSchema = z.strictObject({
  signature: Evm.HexBytesSchema,
  permit2Authorization: z.object({
    permitted: z.object({ token: Evm.AddressSchema, amount: Evm.Uint256StringSchema }),
    from: Evm.AddressSchema,
    spender: Evm.AddressSchema,
    nonce: Evm.Uint256StringSchema,
    deadline: Evm.Uint256StringSchema,
    witness: z.object({ to: Evm.AddressSchema, validAfter: Evm.Uint256StringSchema }),
  }),
})
export type Permit2Payload = z.infer<typeof Permit2PayloadSchema>

const ResourceSchema = z.object({
  url: z.string().min(1),
  description: z.string().optional(),
  mimeType: z.string().optional(),
})

const PaymentPayloadSchema = z
  .object({
    x402Version: z.literal(2),
    accepted: AcceptedSchema,
    payload: z.union([Eip3009PayloadSchema, Permit2PayloadSchema]),
    resource: ResourceSchema.optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((value, context) => {
    const method = value.accepted.extra?.assetTransferMethod
    if (method === undefined) return
    const fits =
      (method === 'eip3009' && 'authorization' in value.payload) || (method === 'permit2' && 'permit2Authorization' in value.payload)
    if (!fits)
      context.addIssue({
        code: 'custom',
        path: ['payload'],
        message: 'does not fit accepted.extra.assetTransferMethod (supported: eip3009, permit2)',
      })
  })

export type PaymentPayload = {
  x402Version: 2
  accepted: Accepted
  payload: Eip3009Payload | Permit2Payload
  resource?: ResourceInfo
  extensions?: Record<string, unknown>
}

/** Validates an already-parsed PaymentPayload (e.g. from a JSON body). Throws MalformedCredentialError. */
export function parse(value: unknown): PaymentPayload {
  const parsed = PaymentPayloadSchema.safeParse(value)
  if (!parsed.success) throw new MalformedCredentialError(`x402 payment payload is malformed: ${describeIssue(parsed.error)}`)
  return parsed.data
}

/** Decodes and validates a `PAYMENT-SIGNATURE` header value. Throws MalformedCredentialError. */
export function decode(header: string): PaymentPayload {
  if (typeof header !== 'string') throw new MalformedCredentialError('PAYMENT-SIGNATURE header is missing')
  if (header.length > maxHeaderLength) throw new MalformedCredentialError('PAYMENT-SIGNATURE header is too long')
  const text = Base64.decode(header.trim())
  if (text === undefined) throw new MalformedCredentialError('PAYMENT-SIGNATURE header is not standard base64 of UTF-8 text')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new MalformedCredentialError('PAYMENT-SIGNATURE header does not carry JSON')
  }
  return parse(json)
}

/** The `PAYMENT-SIGNATURE` header value for a payload (what a client sends; used by tests). */
export function encode(paymentPayload: PaymentPayload): string {
  return Base64.encode(JSON.stringify(paymentPayload))
}

/**
 * The one of our requirements the client accepted: `accepted` must deep-equal it (key order
 * aside). Undefined when none does; the client then paid for something we did not offer.
 */
export function matchAccepted(
  accepted: Accepted,
  requirements: readonly PaymentRequirements.ExactEvm[],
): PaymentRequirements.ExactEvm | undefined {
  return requirements.find((candidate) => jsonEqual(accepted, candidate))
}

export function isEip3009(payload: PaymentPayload['payload']): payload is Eip3009Payload {
  return 'authorization' in payload
}

export function isPermit2(payload: PaymentPayload['payload']): payload is Permit2Payload {
  return 'permit2Authorization' in payload
}
