// The per-request path (draft-evm-session-00, Voucher Verification and Per-Request Processing), on the
// channel as Tollgate's database holds it: no RPC for an EOA signer. The voucher is verified in the spec's
// order, then one conditional statement accepts it and charges the request; a refusal is read back from
// the row to name the step that failed.
import { type Address, type Hex, getAddress } from 'viem'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import {
  AmountExceedsDepositError,
  ChannelFinalizedError,
  ChannelNotFoundError,
  DeltaTooSmallError,
  InsufficientBalanceError,
} from '@/lib/protocol/Problem'
import * as SessionChannels from '@/lib/store/session-channels'
import type { ChannelFacts } from './channel-facts'
import type { SessionContext } from './context'
import { contractSignatureCheck } from './escrow'

export type Voucher = { channelId: Hex; cumulativeAmount: bigint; signature: Hex }

/** The stored channel as the protocol layer's voucher checks read it. */
export function channelState(row: SessionChannels.SessionChannel): EvmSession.Voucher.ChannelState {
  return {
    channelId: row.channelId as Hex,
    payer: getAddress(row.payer),
    authorizedSigner: getAddress(row.authorizedSigner) as Address,
    deposit: BigInt(row.deposit),
    closeRequestedAt: row.closeRequestedAt,
    finalized: row.finalized,
    signerIsContract: row.signerIsContract,
  }
}

/**
 * Steps 1 and 3-8 of Voucher Verification on the stored channel: no pending close, signature format, recovery and
 * signer (before the replay short-circuit), minVoucherDelta, deposit. A channel being closed counts as closed.
 */
export async function verifyVoucher(
  context: SessionContext,
  row: SessionChannels.SessionChannel,
  voucher: Voucher,
  minVoucherDelta: bigint,
): Promise<EvmSession.Voucher.Outcome> {
  if (row.closingSince && !row.finalized)
    throw new ChannelFinalizedError(`channel ${row.channelId} is being closed by this server; open a new channel`, {
      extensions: { channelId: row.channelId },
    })
  return EvmSession.Voucher.verify({
    domain: context.domain,
    channel: channelState(row),
    voucher,
    acceptedCumulative: BigInt(row.accepted),
    minVoucherDelta,
    isValidContractSignature: contractSignatureCheck(context),
    signerKeys: context.signerKeys,
  })
}

/**
 * The per-request fast check on a channel seen before: an EOA signer's kept key verifies the voucher (steps 3-5).
 * Steps 1 and 6-10 are the accounting statement's conditions. False means "not known to be valid": run verifyVoucher.
 */
export function signedByKnownSigner(context: SessionContext, facts: ChannelFacts, voucher: Voucher): boolean {
  if (facts.signerIsContract) return false
  const signer = EvmSession.Channel.voucherSigner({ payer: facts.payer as Address, authorizedSigner: facts.authorizedSigner as Address })
  return EvmSession.Voucher.isSignedByKnownKey(context.domain, voucher, signer, context.signerKeys)
}

export type ChargeInput = {
  channelId: Hex
  /** A voucher verified by verifyVoucher (accepted or replayed), or none for a metered charge. */
  voucher?: Voucher
  minVoucherDelta: bigint
  cost: bigint
  request?: SessionChannels.RememberedRequest
}

export type Charged = ({ status: 'charged' } & SessionChannels.Balances) | { status: 'duplicate' }

/**
 * Accepts the voucher and charges `cost` in one statement (steps 9-10 and Per-Request Processing 1-3). When the
 * balance does not cover the cost, a valid higher voucher is still accepted (step 1 before the balance check of
 * step 2) and the refusal is `insufficient-balance` with the numbers a client needs.
 */
export async function acceptAndCharge(context: SessionContext, input: ChargeInput): Promise<Charged> {
  const { db } = context
  const voucher = input.voucher
  const outcome = await SessionChannels.acceptAndCharge(db, {
    channelId: input.channelId,
    voucher: voucher
      ? { amount: voucher.cumulativeAmount, signature: voucher.signature, minVoucherDelta: input.minVoucherDelta }
      : undefined,
    cost: input.cost,
    request: input.request,
  })
  if (outcome.status !== 'refused') return outcome
  const row = await SessionChannels.getChannel(db, input.channelId)
  const extensions = { channelId: input.channelId }
  if (!row) throw new ChannelNotFoundError(`no channel ${input.channelId} on this server; open one first`, { extensions })
  if (row.finalized) throw new ChannelFinalizedError(`channel ${input.channelId} is closed; open a new channel`, { extensions })
  if (row.closeRequestedAt !== 0n)
    throw new ChannelFinalizedError(`channel ${input.channelId} has a pending forced close (requestClose); open a new channel`, {
      extensions,
    })
  if (row.closingSince)
    throw new ChannelFinalizedError(`channel ${input.channelId} is being closed by this server; open a new channel`, { extensions })
  let accepted = BigInt(row.accepted)
  const deposit = BigInt(row.deposit)
  if (voucher && voucher.cumulativeAmount > accepted) {
    // Another voucher may have been accepted since the checks read the row: judge this one against it.
    if (voucher.cumulativeAmount - accepted < input.minVoucherDelta)
      throw new DeltaTooSmallError(
        `the voucher raises the accepted amount by ${voucher.cumulativeAmount - accepted}, below minVoucherDelta ${input.minVoucherDelta}; sign at least ${accepted + input.minVoucherDelta}`,
        { extensions },
      )
    if (voucher.cumulativeAmount > deposit)
      throw new AmountExceedsDepositError(
        `cumulativeAmount ${voucher.cumulativeAmount} exceeds the channel deposit ${deposit}; top up first`,
        {
          extensions,
        },
      )
    const raised = await SessionChannels.acceptVoucher(db, {
      channelId: input.channelId,
      amount: voucher.cumulativeAmount,
      signature: voucher.signature,
      minVoucherDelta: input.minVoucherDelta,
    })
    if (raised) accepted = raised.accepted
  }
  const spent = BigInt(row.spent)
  const required = spent + input.cost
  throw new InsufficientBalanceError(
    `the accepted vouchers cover ${accepted} and ${spent} is spent, so ${accepted - spent} is left; this request costs ${input.cost}: sign a voucher for at least ${required}${required > deposit ? ` (above the deposit of ${deposit}: top up first)` : ''}`,
    {
      extensions: {
        ...extensions,
        requiredCumulative: required.toString(),
        acceptedCumulative: accepted.toString(),
        deposit: deposit.toString(),
      },
    },
  )
}
