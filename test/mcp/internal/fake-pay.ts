// A stand-in for the gate's pay hook, for the MCP plumbing tests only: it issues real evm/charge challenges
// (HMAC-bound, bound to the operation by opaque + digest) and checks EIP-3009 authorization credentials offline —
// binding, expiry, operation, payload, signature, amount, recipient, one use per challenge — but moves no money:
// the receipt's reference is a stand-in for the transaction. The real hook is the gate's (lib/gate).
import { keccak256, verifyTypedData, type Address, type LocalAccount } from 'viem'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import type { Credential } from '@/lib/protocol/Credential'
import * as Mcp from '@/lib/protocol/Mcp'
import * as evmCharge from '@/lib/protocol/methods/evm'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import type { PayHook, PayInput, PayResult } from '@/lib/mcp/registry'

export const chainId = 31337
export const token: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
export const recipient: Address = '0x70997970C51812dc3A010C7d01b50e0d732c79C8'
export const tokenDomain = { name: 'USD Coin', version: '2', chainId, verifyingContract: token }
/** $0.01 in a 6-decimals token. */
export const amount = '10000'

export type FakeGate = {
  pay: PayHook
  /** Every call of the hook, in order. */
  calls: PayInput[]
  secret: string
  realm: string
  /** Make the next call throw (a payment processor outage). */
  failNext(): void
  /** A fresh challenge for an operation, as `pay` issues it. */
  challengeFor(operation: Mcp.Operation): Promise<Challenge.Challenge>
}

export function fakeGate(options: { realm?: string; secret?: string } = {}): FakeGate {
  const secret = options.secret ?? 'fake-gate-secret-0123456789abcdef'
  const realm = options.realm ?? 'tollgate.test'
  const used = new Set<string>()
  const calls: PayInput[] = []
  let failing = false
  const request = evmCharge.createRequest({ amount, currency: token, recipient, chainId, decimals: 6, credentialTypes: ['authorization'] })

  const challengeFor = async (operation: Mcp.Operation) =>
    Challenge.create({
      secret,
      realm,
      method: 'evm',
      intent: 'charge',
      request,
      expires: new Date(Date.now() + 300_000),
      digest: await Mcp.operationDigest(operation),
      opaque: { resource: `${operation.method} ${operation.name}`, nonce: crypto.randomUUID() },
      description: `${operation.method} ${operation.name}`,
    })

  const pay: PayHook = async (input) => {
    calls.push(input)
    if (failing) {
      failing = false
      throw new Error('payment processor unreachable (secret-looking detail that must not reach the client)')
    }
    // The spec's minimal -32602 (the gate's adds fresh challenges).
    if (input.malformed) return { kind: 'error', ...Mcp.malformedCredential(input.malformed) }
    const operation = { method: input.method, name: input.name, arguments: input.arguments }
    const fresh = [await challengeFor(operation)]
    const refuse = (problem: Problem.PaymentProblem, challengeId?: string): PayResult => ({
      kind: 'error',
      ...Mcp.errorFor(problem, fresh, challengeId === undefined ? {} : { challengeId }),
    })
    if (!input.credential) return { kind: 'error', ...Mcp.paymentRequired(fresh) }
    const { challenge } = input.credential
    if (!Binding.verify(challenge, [secret]))
      return refuse(new Problem.InvalidChallengeError('This challenge was not issued here.'), challenge.id)
    if (Challenge.isExpired(challenge)) return refuse(new Problem.PaymentExpiredError('The challenge has expired.'), challenge.id)
    if (challenge.opaque?.resource !== `${input.method} ${input.name}` || challenge.digest !== (await Mcp.operationDigest(operation)))
      return refuse(new Problem.InvalidChallengeError('The challenge is for another operation.'), challenge.id)
    let payload: evmCharge.Payload
    try {
      payload = evmCharge.parsePayload(input.credential.payload)
    } catch (error) {
      if (error instanceof Problem.MalformedCredentialError) return refuse(error, challenge.id)
      throw error
    }
    if (payload.type !== 'authorization')
      return refuse(new Problem.VerificationFailedError('Only authorization credentials.'), challenge.id)
    const signed = await verifyTypedData({
      address: payload.from,
      ...evmCharge.transferWithAuthorizationTypedData(tokenDomain, payload),
      signature: payload.signature,
    })
    const terms =
      payload.to.toLowerCase() === recipient.toLowerCase() &&
      payload.value === amount &&
      payload.nonce === evmCharge.authorizationNonce(challenge.id, challenge.realm)
    if (!signed || !terms) return refuse(new Problem.VerificationFailedError('Signature verification failed.'), challenge.id)
    if (used.has(challenge.id)) return refuse(new Problem.InvalidChallengeError('This challenge was already paid.'), challenge.id)
    used.add(challenge.id)
    const result = await input.deliver()
    const receipt = Receipt.from({ method: 'evm', reference: keccak256(payload.signature), timestamp: new Date(), chainId })
    return { kind: 'result', result, receipt: Mcp.receipt(receipt, challenge.id) }
  }

  return {
    pay,
    calls,
    secret,
    realm,
    failNext: () => {
      failing = true
    },
    challengeFor,
  }
}

/** A credential for `challenge`: an EIP-3009 authorization of the price to the recipient, signed by `account`. */
export async function authorizationCredential(
  challenge: Challenge.Challenge,
  account: LocalAccount,
  overrides: Partial<evmCharge.Authorization> = {},
): Promise<Credential> {
  const authorization: evmCharge.Authorization = {
    from: account.address,
    to: recipient,
    value: amount,
    validAfter: '0',
    validBefore: String(Math.floor(Date.now() / 1000) + 300),
    nonce: evmCharge.authorizationNonce(challenge.id, challenge.realm),
    ...overrides,
  }
  const signature = await account.signTypedData(evmCharge.transferWithAuthorizationTypedData(tokenDomain, authorization))
  return {
    challenge,
    payload: { type: 'authorization', ...authorization, signature },
    source: evmCharge.payerSource(chainId, account.address),
  }
}
