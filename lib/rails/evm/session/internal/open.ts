// Opening a channel (draft-evm-session-00, Open Verification): a payer-broadcast open named by its
// transaction hash, or an EIP-3009 authorization the server relays through openWithAuthorization
// (feePayer) — also when merged into a voucher's `deposit`. Either way the channel is read from the
// escrow once, its initial voucher verified, and the row written that every later request reads.
import { type Address, type Hex, type TransactionReceipt, getAddress, isAddressEqual, zeroAddress } from 'viem'
import type * as Evm from '@/lib/protocol/methods/evm'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import { TransactionRevertedError, VerificationFailedError } from '@/lib/protocol/Problem'
import * as SessionChannels from '@/lib/store/session-channels'
import * as SessionTransactions from '@/lib/store/session-transactions'
import { RailUnavailableError } from '../../Errors'
import { latestBlockNumber } from '../../internal/chainHead'
import * as ReplayKey from '../../internal/replayKey'
import { checkAuthorization, depositShortfall } from './authorization'
import type { SessionContext } from './context'
import { checkOpenable, contractSignatureCheck, escrowEvents, exists, hasCode, payerReceipt, readChannel } from './escrow'
import { submitEscrowCall } from './submit'

export type Owner = { resourceKey: string; linkId?: string; merchantId?: string }

export type OpenInput = {
  request: EvmSession.Request.Request
  channelId: Hex
  salt: Hex
  authorizedSigner: Address
  /** The initial voucher (an open's, or the voucher a `deposit: {action: "open"}` rides with). */
  voucher: { channelId: Hex; cumulativeAmount: bigint; signature: Hex }
  owner: Owner
}

export type Opened = { row: SessionChannels.SessionChannel; txHash?: Hex }

/** Refuses an open of a channel this server already knows: the escrow would revert ChannelAlreadyExists. */
export async function refuseKnownChannel(context: SessionContext, channelId: Hex): Promise<void> {
  const known = await SessionChannels.getChannel(context.db, channelId)
  if (known) throw alreadyOpen(channelId, known.openTxHash)
}

function alreadyOpen(channelId: Hex, txHash: string | null): TransactionRevertedError {
  // The spec maps ChannelAlreadyExists to transaction-reverted: an open happens once per channelId.
  return new TransactionRevertedError(
    `channel ${channelId} is already open on this server${txHash ? ` (opened in transaction ${txHash})` : ''}; an open cannot be replayed: pay with a "voucher" action on it`,
    { extensions: { channelId } },
  )
}

/** `open` with `type: "hash"`: the payer's transaction must have opened exactly this channel on our escrow. */
export async function openFromHash(context: SessionContext, input: OpenInput & { hash: Hex; payer: Address }): Promise<Opened> {
  await refuseKnownChannel(context, input.channelId)
  const receipt = await payerReceipt(context, input.hash, input.channelId)
  if (escrowEvents(context, receipt, 'ChannelOpened', input.channelId).length !== 1)
    throw new VerificationFailedError(
      `transaction ${input.hash} did not open channel ${input.channelId} on the escrow ${context.escrow} (no ChannelOpened event for it)`,
      { extensions: { channelId: input.channelId } },
    )
  return recordOpened(context, input, { payer: input.payer, txHash: input.hash, block: receipt.blockNumber })
}

/**
 * `open` with `type: "authorization"` (or a voucher's merged `deposit` open): checks the EIP-3009 authorization
 * and the initial voucher before spending gas, relays openWithAuthorization, then records the channel. A channel
 * already on chain but not in the database (our own relay interrupted, or the payer opened it) is taken as it is.
 */
export async function openFromAuthorization(
  context: SessionContext,
  input: OpenInput & { authorization: Evm.Authorization; signature: Hex },
): Promise<Opened> {
  const { authorization, channelId, request } = input
  const from = getAddress(authorization.from)
  const value = BigInt(authorization.value)
  await refuseKnownChannel(context, channelId)
  await checkAuthorization(context, { authorization, signature: input.signature, channelId, what: 'the open' })

  const onChain = await readChannel(context, channelId)
  if (exists(onChain)) return recordOpened(context, input, { payer: from, block: await openedBlock(context) })

  // The initial voucher is checked now, against the channel the relay would create: gas is never spent on
  // opening a channel whose voucher this server would then refuse.
  const signerIsContract = await hasCode(
    context,
    EvmSession.Channel.voucherSigner({ payer: from, authorizedSigner: input.authorizedSigner }),
  )
  await EvmSession.Voucher.verify({
    domain: context.domain,
    signerKeys: context.signerKeys,
    channel: {
      channelId,
      payer: from,
      authorizedSigner: input.authorizedSigner,
      deposit: value,
      closeRequestedAt: 0n,
      finalized: false,
      signerIsContract,
    },
    voucher: input.voucher,
    acceptedCumulative: 0n,
    minVoucherDelta: BigInt(request.methodDetails.minVoucherDelta ?? '0'),
    isValidContractSignature: contractSignatureCheck(context),
  })

  let opened: Opened | undefined
  const outcome = await submitEscrowCall(
    context,
    {
      channelId,
      kind: 'open',
      replayKey: ReplayKey.forAuthorization(context.chainId, context.token, from, authorization.nonce),
      amount: value,
      reason: 'open',
      what: `the open of channel ${channelId}`,
      call: {
        functionName: 'openWithAuthorization',
        args: [
          request.recipient,
          request.currency,
          value,
          input.salt,
          input.authorizedSigner,
          from,
          BigInt(authorization.validAfter),
          BigInt(authorization.validBefore),
          authorization.nonce,
          input.signature,
        ],
      },
      diagnose: async () => depositShortfall(context, from, value, channelId),
    },
    async (receipt: TransactionReceipt) => {
      opened = await recordOpened(context, input, { payer: from, txHash: receipt.transactionHash, block: receipt.blockNumber })
    },
  )
  if (outcome.status === 'busy') return openedElsewhere(context, input, from, outcome.existing)
  return opened!
}

/** The relay of this authorization is held by another request or finished earlier. */
async function openedElsewhere(
  context: SessionContext,
  input: OpenInput,
  from: Address,
  existing: SessionTransactions.SessionTransaction | null,
): Promise<Opened> {
  if (existing?.status === 'settled') {
    const known = await SessionChannels.getChannel(context.db, input.channelId)
    if (known) throw alreadyOpen(input.channelId, existing.txHash)
    return recordOpened(context, input, { payer: from, block: await openedBlock(context) })
  }
  throw new RailUnavailableError(
    `the open of channel ${input.channelId} is being submitted by another request; send the credential again shortly`,
    {
      retryAfterSeconds: 2,
    },
  )
}

/** A block at or before the channel's open, for the event watcher: the current head will do for a channel found on chain. */
async function openedBlock(context: SessionContext): Promise<bigint> {
  return latestBlockNumber(context.rail)
}

/** Steps 4-6 of Open Verification: the escrow's record, the initial voucher, then the row (accounting starts). */
async function recordOpened(
  context: SessionContext,
  input: OpenInput,
  opened: { payer: Address; txHash?: Hex; block: bigint },
): Promise<Opened> {
  const { request, channelId, voucher, owner } = input
  const onChain = await readChannel(context, channelId)
  checkOpenable(onChain, {
    channelId,
    payee: request.recipient,
    token: request.currency,
    amount: BigInt(request.amount),
    payer: opened.payer,
  })
  if (!isAddressEqual(onChain.authorizedSigner, input.authorizedSigner))
    throw new VerificationFailedError(
      `channel ${channelId} delegates vouchers to ${onChain.authorizedSigner}, not ${input.authorizedSigner}`,
      {
        extensions: { channelId },
      },
    )
  const signer = EvmSession.Channel.voucherSigner(onChain)
  const signerIsContract = await hasCode(context, signer)
  const row: SessionChannels.NewSessionChannel = {
    channelId,
    chainId: context.chainId,
    escrow: context.escrow,
    token: onChain.token,
    payer: onChain.payer,
    payee: onChain.payee,
    authorizedSigner: isAddressEqual(onChain.authorizedSigner, zeroAddress) ? zeroAddress : onChain.authorizedSigner,
    signerIsContract,
    deposit: onChain.deposit.toString(),
    settledOnChain: onChain.settled.toString(),
    resourceKey: owner.resourceKey,
    linkId: owner.linkId ?? null,
    merchantId: owner.merchantId ?? null,
    openTxHash: opened.txHash ?? null,
    openedBlock: opened.block,
  }
  const outcome = await EvmSession.Voucher.verify({
    domain: context.domain,
    signerKeys: context.signerKeys,
    channel: {
      channelId,
      payer: onChain.payer,
      authorizedSigner: onChain.authorizedSigner,
      deposit: onChain.deposit,
      closeRequestedAt: 0n,
      finalized: false,
      signerIsContract,
    },
    voucher,
    acceptedCumulative: onChain.settled,
    minVoucherDelta: BigInt(request.methodDetails.minVoucherDelta ?? '0'),
    isValidContractSignature: contractSignatureCheck(context),
  })
  // The initial voucher is the first accepted one (typically 0, or what pays the opening request).
  const accepted = outcome.status === 'accepted' ? outcome.cumulativeAmount : onChain.settled
  Object.assign(row, {
    accepted: accepted.toString(),
    // The signature kept is the one that redeems `accepted`; a voucher at or below what is settled redeems nothing.
    bestSignature: accepted === voucher.cumulativeAmount ? voucher.signature : null,
    lastVoucherAt: new Date(),
    unsettledSince: accepted > onChain.settled ? new Date() : null,
  })
  if (!(await SessionChannels.insertChannel(context.db, row))) throw alreadyOpen(channelId, opened.txHash ?? null)
  return { row: (await SessionChannels.getChannel(context.db, channelId))!, txHash: opened.txHash }
}
