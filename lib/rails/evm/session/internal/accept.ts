// One `evm`/`session` credential, after the gate checked its challenge binding, realm and expiry: the
// payload parsed and checked against the challenge, then the action's verification (open, topUp,
// voucher, close) and the accounting, answered with the spec's receipt. Every refusal is a typed problem.
import { createHash } from 'node:crypto'
import { type Address, type Hex, getAddress, isAddressEqual, zeroAddress } from 'viem'
import * as Jcs from '@/lib/protocol/Jcs'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import {
  ChannelFinalizedError,
  ChannelNotFoundError,
  InvalidChallengeError,
  MalformedSessionPayloadError,
  VerificationFailedError,
} from '@/lib/protocol/Problem'
import * as SessionChannels from '@/lib/store/session-channels'
import { type Charged, acceptAndCharge, signedByKnownSigner, verifyVoucher } from './accounting'
import type { ChannelFacts } from './channel-facts'
import type { SessionContext } from './context'
import { type Owner, openFromAuthorization, openFromHash, refuseKnownChannel } from './open'
import { closeChannel } from './redeem'
import { topUpFromAuthorization, topUpFromHash } from './topUp'

export type AcceptParameters = {
  /** The echoed challenge; `request` is its decoded JSON. Binding, realm and expiry are the gate's to check first. */
  challenge: { id: string; realm: string; request: unknown; expires?: string }
  /** The credential's `payload` (untrusted; parsed here). */
  payload: unknown
  /** The credential's `source` (a did:pkh; required for `hash` opens and top-ups). */
  source?: string
  /** Units this request consumes at the challenge's per-unit price (0 for a voucher-only HEAD). */
  units: number
  /** The request's Idempotency-Key header: a duplicate (same challenge and key) is answered again and charged once. */
  idempotencyKey?: string
  /** What the channel is opened for; later credentials must come for the same merchant. */
  owner: Owner
}

export type Accepted = {
  action: EvmSession.Payload.Action
  channelId: Hex
  /**
   * `resource`: deliver the paid resource (open, voucher: the request was charged). `receipt`: answer with the
   * receipt only (topUp adds funds and close ends the channel; neither is charged).
   */
  serves: 'resource' | 'receipt'
  receipt: EvmSession.Receipt.Receipt
  payer: Address
  /** Base units this request added to `spent` (0 for a duplicate, a topUp or a close). */
  charged: bigint
  /** The on-chain transaction the action relied on: the open or top-up (the payer's or our relay), or our close. */
  txHash?: Hex
  /** This answers a request seen before with the same challenge and Idempotency-Key: nothing was charged again. */
  duplicate: boolean
}

/** An Idempotency-Key is an opaque client token: visible ASCII, at most 255 characters. */
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/

export async function accept(context: SessionContext, parameters: AcceptParameters): Promise<Accepted> {
  const { challenge, units, idempotencyKey, owner } = parameters
  if (!Number.isSafeInteger(units) || units < 0) throw new TypeError(`units must be a whole number, got ${units}`)
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey))
    throw new MalformedSessionPayloadError('the Idempotency-Key header must be 1 to 255 visible ASCII characters')
  const request = EvmSession.Request.parse(challenge.request)
  refuseForeignRequest(context, request)
  const payload = EvmSession.Payload.parse(parameters.payload)
  const payloadDigest = createHash('sha256').update(Jcs.canonicalize(payload)).digest('base64url')
  if (idempotencyKey !== undefined) {
    // An exact replay of a request answered before: its voucher was verified then (the spec's signature cache).
    const stored = await SessionChannels.getRequest(context.db, challenge.id, idempotencyKey)
    if (stored) return answeredBefore(context, stored, payloadDigest)
  }
  await context.escrowReady()
  const checked = EvmSession.Payload.check(payload, { request, source: parameters.source, nowSeconds: Number(context.rail.now()) })
  const channelId = checked.channelId
  const cost = BigInt(request.amount) * BigInt(units)
  const minVoucherDelta = BigInt(request.methodDetails.minVoucherDelta ?? '0')
  const remember = (serves: Accepted['serves'], txHash?: Hex): SessionChannels.RememberedRequest | undefined =>
    idempotencyKey === undefined
      ? undefined
      : { challengeId: challenge.id, idempotencyKey, payloadDigest, action: payload.action, serves, units, ...(txHash ? { txHash } : {}) }
  const receipt = (balances: { accepted: bigint; spent: bigint; at?: Date }, extra: { units?: number; txHash?: Hex } = {}) =>
    EvmSession.Receipt.create({
      challengeId: challenge.id,
      channelId,
      chainId: context.chainId,
      acceptedCumulative: balances.accepted,
      spent: balances.spent,
      ...extra,
      ...(balances.at ? { timestamp: balances.at } : {}),
    })

  /** Charges the request with the action's voucher and answers with the resource. */
  const serve = async (voucher: EvmSession.Payload.Payload, payer: Address, txHash?: Hex): Promise<Accepted> => {
    const charged: Charged = await acceptAndCharge(context, {
      channelId,
      voucher: EvmSession.Payload.voucherOf(voucher),
      minVoucherDelta,
      cost,
      request: remember('resource', txHash),
    })
    if (charged.status === 'duplicate')
      return answeredBefore(context, (await SessionChannels.getRequest(context.db, challenge.id, idempotencyKey!))!, payloadDigest)
    return {
      action: payload.action,
      channelId,
      serves: 'resource',
      receipt: receipt(charged, { units }),
      payer,
      charged: cost,
      ...(txHash ? { txHash } : {}),
      duplicate: false,
    }
  }

  switch (payload.action) {
    case 'open': {
      const voucher = EvmSession.Payload.voucherOf(payload)!
      const base = {
        request,
        channelId,
        salt: payload.salt,
        authorizedSigner: EvmSession.Payload.authorizedSignerOf(payload),
        voucher,
        owner,
      }
      const opened =
        payload.type === 'hash'
          ? await openFromHash(context, { ...base, hash: payload.hash, payer: checked.payer! })
          : await openFromAuthorization(context, { ...base, authorization: payload.authorization, signature: payload.signature })
      context.channelFacts.remember(opened.row)
      return serve(payload, getAddress(opened.row.payer), opened.txHash)
    }

    case 'voucher': {
      const deposit = payload.deposit
      const known = deposit ? undefined : context.channelFacts.get(channelId)
      // A channel seen before and a signer whose key is kept: no read, no recovery; the accounting statement's
      // conditions check the rest (open, no pending close, delta, deposit, balance) under the row lock.
      if (known && ownedBy(known, request, owner) && signedByKnownSigner(context, known, EvmSession.Payload.voucherOf(payload)!))
        return serve(payload, getAddress(known.payer))
      let row = await SessionChannels.getChannel(context.db, channelId)
      let txHash: Hex | undefined
      if (deposit?.action === 'open') {
        // A channel created by the voucher's own deposit (the spec's merge): the deposit first, then the voucher.
        await refuseKnownChannel(context, channelId)
        const opened = await openFromAuthorization(context, {
          request,
          channelId,
          salt: deposit.salt,
          authorizedSigner: deposit.authorizedSigner ?? zeroAddress,
          voucher: EvmSession.Payload.voucherOf(payload)!,
          owner,
          authorization: deposit.authorization,
          signature: deposit.signature,
        })
        row = opened.row
        txHash = opened.txHash
      } else {
        row = requireOwnChannel(row, channelId, request, owner)
        // Step 1 comes before the deposit: no funds are pulled into a channel the payer is closing.
        if (row.closeRequestedAt !== 0n)
          throw new ChannelFinalizedError(`channel ${channelId} has a pending forced close (requestClose); open a new channel`, {
            extensions: { channelId },
          })
        if (deposit) {
          const toppedUp = await topUpFromAuthorization(context, {
            channelId,
            topUpSalt: deposit.salt,
            authorization: deposit.authorization,
            signature: deposit.signature,
          })
          row = toppedUp.row
          txHash = toppedUp.txHash
        }
      }
      await verifyVoucher(context, row, EvmSession.Payload.voucherOf(payload)!, minVoucherDelta)
      context.channelFacts.remember(row)
      return serve(payload, getAddress(row.payer), txHash)
    }

    case 'topUp': {
      const row = requireOwnChannel(await SessionChannels.getChannel(context.db, channelId), channelId, request, owner)
      const { row: updated, txHash } =
        payload.type === 'hash'
          ? await topUpFromHash(context, { channelId, hash: payload.hash, additionalDeposit: BigInt(payload.additionalDeposit) })
          : await topUpFromAuthorization(context, {
              channelId,
              topUpSalt: payload.salt,
              authorization: payload.authorization,
              signature: payload.signature,
            })
      const balances = { accepted: BigInt(updated.accepted), spent: BigInt(updated.spent), at: new Date() }
      const remembered = remember('receipt', txHash)
      if (remembered) await SessionChannels.rememberRequest(context.db, { ...remembered, channelId, ...balances })
      return {
        action: 'topUp',
        channelId,
        serves: 'receipt',
        receipt: receipt(balances),
        payer: getAddress(row.payer),
        charged: 0n,
        ...(txHash ? { txHash } : {}),
        duplicate: false,
      }
    }

    case 'close': {
      const row = requireOwnChannel(await SessionChannels.getChannel(context.db, channelId), channelId, request, owner)
      const voucher = EvmSession.Payload.voucherOf(payload)!
      const outcome = await verifyVoucher(context, row, voucher, minVoucherDelta)
      // A final voucher above the best one is accepted like any voucher before the channel closes with it.
      if (outcome.status === 'accepted')
        await SessionChannels.acceptVoucher(context.db, {
          channelId,
          amount: voucher.cumulativeAmount,
          signature: voucher.signature,
          minVoucherDelta,
        })
      const closed = await closeChannel(context, channelId, { reason: 'close', finalVoucher: voucher })
      const balances = { accepted: BigInt(closed.row.accepted), spent: BigInt(closed.row.spent), at: new Date() }
      const remembered = remember('receipt', closed.txHash)
      if (remembered) await SessionChannels.rememberRequest(context.db, { ...remembered, channelId, ...balances })
      return {
        action: 'close',
        channelId,
        serves: 'receipt',
        receipt: receipt(balances, { txHash: closed.txHash }),
        payer: getAddress(row.payer),
        charged: 0n,
        txHash: closed.txHash,
        duplicate: false,
      }
    }
  }
}

/** The challenge must be one this rail issues: our chain, escrow, token and payee. */
function refuseForeignRequest(context: SessionContext, request: EvmSession.Request.Request): void {
  const details = request.methodDetails
  if (
    details.chainId !== context.chainId ||
    !isAddressEqual(details.escrowContract, context.escrow) ||
    !isAddressEqual(request.currency, context.token)
  )
    throw new InvalidChallengeError(
      `the challenge asks for ${request.currency} in escrow ${details.escrowContract} on chain ${details.chainId}; this server's channels hold ${context.token} in ${context.escrow} on chain ${context.chainId}`,
    )
  if (!isAddressEqual(request.recipient, context.payee))
    throw new InvalidChallengeError(`the challenge pays ${request.recipient}; this server's channels pay ${context.payee}`)
}

/** Whether the channel pays this request's payee in its token, for this request's merchant. */
function ownedBy(facts: ChannelFacts, request: EvmSession.Request.Request, owner: Owner): boolean {
  return (
    isAddressEqual(facts.payee as Address, request.recipient) &&
    isAddressEqual(facts.token as Address, request.currency) &&
    (facts.merchantId ?? null) === (owner.merchantId ?? null)
  )
}

/** A channel this server holds for this request's payee and merchant; a channel of another merchant is not found here. */
function requireOwnChannel(
  row: SessionChannels.SessionChannel | null,
  channelId: Hex,
  request: EvmSession.Request.Request,
  owner: Owner,
): SessionChannels.SessionChannel {
  const extensions = { channelId }
  if (!row || !isAddressEqual(row.payee as Address, request.recipient) || !isAddressEqual(row.token as Address, request.currency))
    throw new ChannelNotFoundError(`no channel ${channelId} for ${request.recipient} on this server; open one first`, { extensions })
  if ((row.merchantId ?? null) !== (owner.merchantId ?? null))
    throw new ChannelNotFoundError(
      `channel ${channelId} was opened for another merchant of this server; open a new channel to pay this one`,
      {
        extensions,
      },
    )
  if (row.finalized) throw new ChannelFinalizedError(`channel ${channelId} is closed; open a new channel`, { extensions })
  return row
}

/** The answer to a request seen before under the same challenge and Idempotency-Key (charged once, answered again). */
async function answeredBefore(context: SessionContext, stored: SessionChannels.StoredRequest, payloadDigest: string): Promise<Accepted> {
  if (stored.payloadDigest !== payloadDigest)
    throw new VerificationFailedError(
      'this Idempotency-Key was already used with another payment for this challenge; use a new key for a new request',
      { extensions: { channelId: stored.channelId } },
    )
  const row = await SessionChannels.getChannel(context.db, stored.channelId)
  const action = stored.action as EvmSession.Payload.Action
  const charges = action === 'open' || action === 'voucher'
  const txHash = (stored.txHash ?? undefined) as Hex | undefined
  return {
    action,
    channelId: stored.channelId as Hex,
    serves: stored.serves,
    receipt: EvmSession.Receipt.create({
      challengeId: stored.challengeId,
      channelId: stored.channelId as Hex,
      chainId: context.chainId,
      acceptedCumulative: BigInt(stored.accepted),
      spent: BigInt(stored.spent),
      ...(charges ? { units: stored.units } : {}),
      ...(action === 'close' && txHash ? { txHash } : {}),
      timestamp: stored.createdAt,
    }),
    payer: getAddress(row?.payer ?? zeroAddress),
    charged: 0n,
    ...(txHash ? { txHash } : {}),
    duplicate: true,
  }
}
