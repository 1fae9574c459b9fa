// MCP -> the core's input: the `_meta` credential (or the malformed one's problem), the client behind the HTTP
// request, and the operation itself as the body the challenge binds: JCS({method, name, arguments}), so a payment
// for one tool call (with these arguments) cannot be spent on another. No grants over MCP: each call pays.
import type { PayInput } from '@/lib/mcp/registry'
import * as Jcs from '@/lib/protocol/Jcs'
import { clientKey } from '../rate-limit'
import type { DecisionInput, PaymentInput } from '../types'

/** The bytes a challenge's `digest` binds for this operation (the digest equals Mcp.operationDigest's). Throws Jcs.CanonicalizationError. */
export function operationBody(input: Pick<PayInput, 'method' | 'name' | 'arguments'>): Uint8Array {
  return new TextEncoder().encode(Jcs.canonicalize({ method: input.method, name: input.name, arguments: input.arguments ?? {} }))
}

export function paymentInput(input: Pick<PayInput, 'credential' | 'malformed'>): PaymentInput {
  if (input.malformed) return { kind: 'malformed', problem: input.malformed }
  return input.credential ? { kind: 'mpp', credential: input.credential } : { kind: 'none' }
}

export function decisionInput(input: PayInput, body: Uint8Array): DecisionInput {
  return {
    payment: paymentInput(input),
    grantToken: null,
    client: clientKey(input.request),
    body,
    protocol: 'mcp',
    bodyRequired: true,
  }
}
