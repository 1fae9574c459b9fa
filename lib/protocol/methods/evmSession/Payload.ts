// Credential payloads of `evm`/`session` (draft-evm-session-00, Credential Schema): the four actions
// (`open`, `topUp`, `voucher`, `close`), their `hash` and `authorization` forms, the `deposit` merged
// into a voucher; and `check`, the cross-field rules a payload must meet against its challenge before
// any chain call (channelId derivation, EIP-3009 nonce derivation, escrow as `to`, accepted types).
import { type Address, type Hex, getAddress, zeroAddress } from 'viem'
import { z } from 'zod'
import { describeIssue } from '@/lib/protocol/methods/internal/describeIssue'
import { MalformedSessionPayloadError, VerificationFailedError } from '@/lib/protocol/Problem'
import * as Channel from './Channel'
import * as Wire from './internal/Wire'
import { acceptedCredentialTypes, type Request } from './Request'

export const actions = ['open', 'topUp', 'voucher', 'close'] as const
export type Action = (typeof actions)[number]

/** An EIP-3009 receiveWithAuthorization the escrow redeems (`to` is the escrow). */
export const AuthorizationSchema = z.object({
  from: Wire.Address,
  to: Wire.Address,
  value: Wire.PositiveUint128String,
  validAfter: Wire.Uint256String,
  validBefore: Wire.Uint256String,
  nonce: Wire.Bytes32,
})
export type Authorization = z.infer<typeof AuthorizationSchema>

/** `open`, `type="hash"`: the payer broadcast `approve + open` and names the transaction. `source` is required. */
export const OpenHashSchema = z.object({
  action: z.literal('open'),
  type: z.literal('hash'),
  channelId: Wire.Bytes32,
  hash: Wire.Bytes32,
  cumulativeAmount: Wire.Uint128String,
  signature: Wire.Signature,
  authorizedSigner: Wire.Address.optional(),
  salt: Wire.Bytes32,
})
export type OpenHash = z.infer<typeof OpenHashSchema>

/** `open`, `type="authorization"`: the server calls `openWithAuthorization` (feePayer: true). */
export const OpenAuthorizationSchema = z.object({
  action: z.literal('open'),
  type: z.literal('authorization'),
  channelId: Wire.Bytes32,
  authorization: AuthorizationSchema,
  signature: Wire.Signature,
  cumulativeAmount: Wire.Uint128String,
  voucherSignature: Wire.Signature,
  authorizedSigner: Wire.Address.optional(),
  salt: Wire.Bytes32,
})
export type OpenAuthorization = z.infer<typeof OpenAuthorizationSchema>

/** `topUp`, `type="hash"`: the payer broadcast `approve + topUp`. `source` is required. */
export const TopUpHashSchema = z.object({
  action: z.literal('topUp'),
  type: z.literal('hash'),
  channelId: Wire.Bytes32,
  hash: Wire.Bytes32,
  additionalDeposit: Wire.PositiveUint128String,
})
export type TopUpHash = z.infer<typeof TopUpHashSchema>

/** `topUp`, `type="authorization"`: the server calls `topUpWithAuthorization`; `salt` is the topUpSalt. */
export const TopUpAuthorizationSchema = z
  .object({
    action: z.literal('topUp'),
    type: z.literal('authorization'),
    channelId: Wire.Bytes32,
    salt: Wire.Bytes32,
    authorization: AuthorizationSchema,
    signature: Wire.Signature,
    additionalDeposit: Wire.PositiveUint128String,
  })
  .refine((payload) => payload.additionalDeposit === payload.authorization.value, {
    path: ['additionalDeposit'],
    message: 'must equal authorization.value',
  })
export type TopUpAuthorization = z.infer<typeof TopUpAuthorizationSchema>

/** A deposit merged into a voucher: open a channel or top one up in the same round trip (EIP-3009 only). */
export const DepositSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('open'),
    type: z.literal('authorization'),
    authorization: AuthorizationSchema,
    signature: Wire.Signature,
    salt: Wire.Bytes32,
    authorizedSigner: Wire.Address.optional(),
  }),
  z.object({
    action: z.literal('topUp'),
    type: z.literal('authorization'),
    authorization: AuthorizationSchema,
    signature: Wire.Signature,
    salt: Wire.Bytes32,
  }),
])
export type Deposit = z.infer<typeof DepositSchema>

/** `voucher`: a new cumulative voucher, optionally with a merged deposit. */
export const VoucherSchema = z.object({
  action: z.literal('voucher'),
  channelId: Wire.Bytes32,
  cumulativeAmount: Wire.Uint128String,
  signature: Wire.Signature,
  deposit: DepositSchema.optional(),
})
export type Voucher = z.infer<typeof VoucherSchema>

/** `close`: the final voucher; the server calls `close(channelId, cumulativeAmount, signature)`. */
export const CloseSchema = z.object({
  action: z.literal('close'),
  channelId: Wire.Bytes32,
  cumulativeAmount: Wire.Uint128String,
  signature: Wire.Signature,
})
export type Close = z.infer<typeof CloseSchema>

export type Open = OpenHash | OpenAuthorization
export type TopUp = TopUpHash | TopUpAuthorization
export type Payload = Open | TopUp | Voucher | Close

const schemasByAction = {
  open: { hash: OpenHashSchema, authorization: OpenAuthorizationSchema },
  topUp: { hash: TopUpHashSchema, authorization: TopUpAuthorizationSchema },
} as const

/**
 * Validates a credential `payload` for `evm`/`session` and returns it normalized (EIP-55 addresses, lowercase hex).
 * Throws MalformedSessionPayloadError (400, per the session spec's Error Responses).
 */
export function parse(value: unknown): Payload {
  const fail = (detail: string): never => {
    throw new MalformedSessionPayloadError(`evm session payload is malformed: ${detail}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('(root): expected an object')
  const { action, type } = value as { action?: unknown; type?: unknown }
  if (typeof action !== 'string' || !(actions as readonly string[]).includes(action))
    return fail(`action: expected one of ${actions.join(', ')}`)
  const deposit = (value as { deposit?: unknown }).deposit
  if (type === 'permit2' || (typeof deposit === 'object' && deposit !== null && (deposit as { type?: unknown }).type === 'permit2'))
    return fail('type "permit2" is not accepted here: this escrow has no Permit2 functions (use "authorization" or "hash")')
  let schema: z.ZodType<Payload>
  if (action === 'open' || action === 'topUp') {
    const forms = schemasByAction[action]
    if (type !== 'hash' && type !== 'authorization') return fail(`type: expected "hash" or "authorization" for ${action}`)
    schema = forms[type]
  } else schema = action === 'voucher' ? VoucherSchema : CloseSchema
  const parsed = schema.safeParse(value)
  if (!parsed.success) return fail(describeIssue(parsed.error))
  return parsed.data
}

// --- source ------------------------------------------------------------------------------------

const didPkh = /^did:pkh:eip155:([1-9][0-9]{0,15}):(0x[0-9a-fA-F]{40})$/

/** The payer named by a `did:pkh:eip155:<chainId>:<address>` source, or undefined for any other form. */
export function parseSource(source: string | undefined): { chainId: number; address: Address } | undefined {
  const match = source === undefined ? null : didPkh.exec(source)
  if (!match) return undefined
  return { chainId: Number(match[1]), address: getAddress(match[2]!.toLowerCase()) }
}

// --- cross-field checks against the challenge ---------------------------------------------------

export type CheckContext = {
  /** The challenge's decoded request (already parsed with Request.parse). */
  request: Request
  /** The credential's `source`. */
  source?: string
  /** Current Unix time in seconds, for EIP-3009 windows. */
  nowSeconds: number
}

/** What a payload proves about its channel once checked. */
export type Checked = {
  channelId: Hex
  /** The depositor, when the payload names one (opens, relayed top-ups, hash payloads with a source). */
  payer?: Address
}

/**
 * The payload's rules that need only the challenge: an accepted credential type, a `did:pkh` source for
 * `hash` payloads, a channelId derived from (payer, recipient, currency, salt, authorizedSigner, escrow, chainId),
 * EIP-3009 authorizations to the escrow with the derived nonce and an open validity window. A failure here would
 * revert on chain (or open a channel that is not this server's), so it is refused before any chain call.
 * Throws MalformedSessionPayloadError for a type the challenge does not accept, VerificationFailedError otherwise.
 */
export function check(payload: Payload, context: CheckContext): Checked {
  const { request } = context
  const chainId = request.methodDetails.chainId
  const escrow = request.methodDetails.escrowContract
  const extensions = { channelId: payload.channelId }
  const refuse = (detail: string): never => {
    throw new VerificationFailedError(detail, { extensions })
  }
  const requireType = (type: 'hash' | 'authorization', where: string) => {
    const accepted = acceptedCredentialTypes(request)
    if (!accepted.includes(type))
      throw new MalformedSessionPayloadError(
        `${where} "${type}" is not accepted by this challenge (credentialTypes: ${accepted.join(', ')})`,
        {
          extensions,
        },
      )
  }
  const sourcePayer = (): Address => {
    const source = parseSource(context.source)
    if (!source) return refuse('a "hash" payload needs the credential source did:pkh:eip155:<chainId>:<payer address>')
    if (source.chainId !== chainId) return refuse(`source names chain ${source.chainId}, but the challenge is for chain ${chainId}`)
    return source.address
  }
  const expectChannelId = (payer: Address, salt: Hex, authorizedSigner: Address | undefined) => {
    const expected = Channel.computeId({
      payer,
      payee: request.recipient,
      token: request.currency,
      salt,
      authorizedSigner,
      escrow,
      chainId,
    })
    if (expected !== payload.channelId)
      refuse(
        `channelId is not keccak256(abi.encode(payer, recipient, currency, salt, authorizedSigner, escrow, chainId)) for payer ${payer} and this challenge (expected ${expected})`,
      )
  }
  const checkAuthorization = (authorization: Authorization, nonce: Hex, what: string) => {
    if (!Wire.sameAddress(authorization.to, escrow)) refuse(`${what}: authorization.to must be the escrow ${escrow}`)
    if (authorization.nonce !== nonce) refuse(`${what}: authorization.nonce must be ${nonce} (derived from the channel parameters)`)
    if (BigInt(authorization.validBefore) <= BigInt(context.nowSeconds)) refuse(`${what}: the authorization expired (validBefore)`)
    if (BigInt(authorization.validAfter) >= BigInt(context.nowSeconds)) refuse(`${what}: the authorization is not valid yet (validAfter)`)
  }
  const checkOpenAuthorization = (authorization: Authorization, salt: Hex, authorizedSigner: Address | undefined, what: string) => {
    const nonce = Channel.openNonce({ from: authorization.from, payee: request.recipient, token: request.currency, salt, authorizedSigner })
    checkAuthorization(authorization, nonce, what)
    expectChannelId(authorization.from, salt, authorizedSigner)
  }
  const checkTopUpAuthorization = (authorization: Authorization, topUpSalt: Hex, what: string) => {
    const additionalDeposit = BigInt(authorization.value)
    const nonce = Channel.topUpNonce({ channelId: payload.channelId, additionalDeposit, from: authorization.from, topUpSalt })
    checkAuthorization(authorization, nonce, what)
  }

  switch (payload.action) {
    case 'open': {
      requireType(payload.type, 'type')
      if (payload.type === 'hash') {
        const payer = sourcePayer()
        expectChannelId(payer, payload.salt, payload.authorizedSigner)
        return { channelId: payload.channelId, payer }
      }
      checkOpenAuthorization(payload.authorization, payload.salt, payload.authorizedSigner, 'open')
      return { channelId: payload.channelId, payer: payload.authorization.from }
    }
    case 'topUp': {
      requireType(payload.type, 'type')
      if (payload.type === 'hash') return { channelId: payload.channelId, payer: sourcePayer() }
      checkTopUpAuthorization(payload.authorization, payload.salt, 'topUp')
      return { channelId: payload.channelId, payer: payload.authorization.from }
    }
    case 'voucher': {
      const deposit = payload.deposit
      if (!deposit) return { channelId: payload.channelId }
      requireType(deposit.type, 'deposit.type')
      if (deposit.action === 'open') {
        checkOpenAuthorization(deposit.authorization, deposit.salt, deposit.authorizedSigner, 'deposit')
        return { channelId: payload.channelId, payer: deposit.authorization.from }
      }
      checkTopUpAuthorization(deposit.authorization, deposit.salt, 'deposit')
      return { channelId: payload.channelId }
    }
    case 'close':
      return { channelId: payload.channelId }
  }
}

/** The voucher a payload carries (open's initial voucher, a voucher, a close), or undefined for a topUp. */
export function voucherOf(payload: Payload): { channelId: Hex; cumulativeAmount: bigint; signature: Hex } | undefined {
  switch (payload.action) {
    case 'open':
      return {
        channelId: payload.channelId,
        cumulativeAmount: BigInt(payload.cumulativeAmount),
        signature: payload.type === 'hash' ? payload.signature : payload.voucherSignature,
      }
    case 'voucher':
    case 'close':
      return { channelId: payload.channelId, cumulativeAmount: BigInt(payload.cumulativeAmount), signature: payload.signature }
    case 'topUp':
      return undefined
  }
}

/** The authorizedSigner an open names, the zero address when it names none (the payer signs). */
export function authorizedSignerOf(open: Open | Extract<Deposit, { action: 'open' }>): Address {
  return open.authorizedSigner ?? zeroAddress
}
