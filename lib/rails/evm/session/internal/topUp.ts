// Topping up a channel (draft-evm-session-00, TopUp Verification): a payer-broadcast topUp named by its
// hash, or an EIP-3009 authorization relayed through topUpWithAuthorization (also a voucher's merged
// `deposit`). The deposit recorded is always the escrow's own, read after the top-up, so a replayed
// top-up credential can never count twice.
import { type Hex, getAddress } from 'viem'
import type * as Evm from '@/lib/protocol/methods/evm'
import { VerificationFailedError } from '@/lib/protocol/Problem'
import * as SessionChannels from '@/lib/store/session-channels'
import { RailUnavailableError } from '../../Errors'
import * as ReplayKey from '../../internal/replayKey'
import { checkAuthorization, depositShortfall } from './authorization'
import type { SessionContext } from './context'
import { escrowEvents, payerReceipt } from './escrow'
import { refreshFromChain } from './refresh'
import { submitEscrowCall } from './submit'

/** The channel after a top-up, and the transaction that made it. */
export type ToppedUp = { row: SessionChannels.SessionChannel; txHash?: Hex }

/** `topUp` with `type: "hash"`: the transaction must carry the escrow's TopUp of exactly `additionalDeposit` for this channel. */
export async function topUpFromHash(
  context: SessionContext,
  input: { channelId: Hex; hash: Hex; additionalDeposit: bigint },
): Promise<ToppedUp> {
  const receipt = await payerReceipt(context, input.hash, input.channelId)
  const topUps = escrowEvents(context, receipt, 'TopUp', input.channelId)
  if (!topUps.some((log) => log.args.additionalDeposit === input.additionalDeposit))
    throw new VerificationFailedError(
      topUps.length
        ? `transaction ${input.hash} topped up channel ${input.channelId} by ${topUps.map((log) => log.args.additionalDeposit).join(', ')}, not by ${input.additionalDeposit}`
        : `transaction ${input.hash} did not top up channel ${input.channelId} on the escrow ${context.escrow} (no TopUp event for it)`,
      { extensions: { channelId: input.channelId } },
    )
  return { row: (await refreshFromChain(context, input.channelId))!, txHash: input.hash }
}

/** `topUp` with `type: "authorization"` (or a voucher's merged `deposit` top-up): relayed through topUpWithAuthorization. */
export async function topUpFromAuthorization(
  context: SessionContext,
  input: { channelId: Hex; topUpSalt: Hex; authorization: Evm.Authorization; signature: Hex },
): Promise<ToppedUp> {
  const { authorization, channelId } = input
  const from = getAddress(authorization.from)
  const value = BigInt(authorization.value)
  await checkAuthorization(context, { authorization, signature: input.signature, channelId, what: 'the top-up' })
  const outcome = await submitEscrowCall(
    context,
    {
      channelId,
      kind: 'topUp',
      replayKey: ReplayKey.forAuthorization(context.chainId, context.token, from, authorization.nonce),
      amount: value,
      reason: 'topUp',
      what: `the top-up of channel ${channelId}`,
      call: {
        functionName: 'topUpWithAuthorization',
        args: [
          channelId,
          value,
          from,
          input.topUpSalt,
          BigInt(authorization.validAfter),
          BigInt(authorization.validBefore),
          authorization.nonce,
          input.signature,
        ],
      },
      diagnose: async () => depositShortfall(context, from, value, channelId),
    },
    async () => {
      await refreshFromChain(context, channelId)
    },
  )
  // Relayed before (a retry after a lost answer): the escrow already holds it, and it is counted from the escrow.
  if (outcome.status === 'busy' && outcome.existing?.status !== 'settled')
    throw new RailUnavailableError(
      `the top-up of channel ${channelId} is being submitted by another request; send the credential again shortly`,
      {
        retryAfterSeconds: 2,
      },
    )
  const txHash = outcome.status === 'mined' ? outcome.txHash : ((outcome.existing?.txHash ?? undefined) as Hex | undefined)
  return { row: (await refreshFromChain(context, channelId))!, ...(txHash ? { txHash } : {}) }
}
