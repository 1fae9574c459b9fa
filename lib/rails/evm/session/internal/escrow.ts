// Reads of the escrow and of payer transactions: a channel's on-chain record, the receipt a `hash`
// credential names (a revert is refused at once, never awaited), its escrow events, ERC-1271 answers.
import {
  type Address,
  type Hex,
  type TransactionReceipt,
  BaseError,
  ContractFunctionRevertedError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  isAddressEqual,
  parseAbi,
  parseEventLogs,
  zeroAddress,
} from 'viem'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import {
  ChannelFinalizedError,
  ChannelNotFoundError,
  InsufficientBalanceError,
  TransactionRevertedError,
  VerificationFailedError,
} from '@/lib/protocol/Problem'
import { isConfirmed } from '../../internal/chainHead'
import { isTransportFailure, read, unavailable } from '../../internal/rpc'
import type { SessionContext } from './context'

/** The escrow's record of one channel (zero payer: no such channel). */
export type OnChainChannel = {
  payer: Address
  payee: Address
  token: Address
  authorizedSigner: Address
  deposit: bigint
  settled: bigint
  closeRequestedAt: bigint
  finalized: boolean
}

export async function readChannel(context: SessionContext, channelId: Hex): Promise<OnChainChannel> {
  const record = await read('reading the channel from the escrow', () =>
    context.rail.publicClient.readContract({
      address: context.escrow,
      abi: EvmSession.escrowAbi,
      functionName: 'getChannel',
      args: [channelId],
    }),
  )
  return { ...record, closeRequestedAt: BigInt(record.closeRequestedAt) }
}

export function exists(channel: OnChainChannel): boolean {
  return !isAddressEqual(channel.payer, zeroAddress)
}

/**
 * The spec's channel-state checks of an open (Open Verification step 4): the channel exists, its payee is
 * the request's recipient and its token the request's currency, it is not finalized, no forced close is
 * pending, and `deposit - settled` covers at least one unit.
 */
export function checkOpenable(
  channel: OnChainChannel,
  expected: { channelId: Hex; payee: Address; token: Address; amount: bigint; payer?: Address },
): void {
  const extensions = { channelId: expected.channelId }
  if (!exists(channel)) throw new ChannelNotFoundError(`the escrow has no channel ${expected.channelId}`, { extensions })
  if (channel.finalized)
    throw new ChannelFinalizedError(`channel ${expected.channelId} is closed; open a new channel with a new salt`, { extensions })
  if (!isAddressEqual(channel.payee, expected.payee))
    throw new VerificationFailedError(
      `channel ${expected.channelId} pays ${channel.payee}, not this server's recipient ${expected.payee}`,
      { extensions },
    )
  if (!isAddressEqual(channel.token, expected.token))
    throw new VerificationFailedError(
      `channel ${expected.channelId} holds ${channel.token}, not the requested currency ${expected.token}`,
      { extensions },
    )
  if (expected.payer && !isAddressEqual(channel.payer, expected.payer))
    throw new VerificationFailedError(`channel ${expected.channelId} belongs to ${channel.payer}, not to ${expected.payer}`, { extensions })
  if (channel.closeRequestedAt !== 0n)
    throw new ChannelFinalizedError(`channel ${expected.channelId} has a pending forced close (requestClose); open a new channel`, {
      extensions,
    })
  if (channel.deposit - channel.settled < expected.amount)
    throw new InsufficientBalanceError(
      `channel ${expected.channelId} holds ${channel.deposit - channel.settled} unsettled base units, less than one unit's price of ${expected.amount}`,
      { extensions },
    )
}

/** Whether an address has code (a contract wallet: its vouchers are checked with ERC-1271). */
export async function hasCode(context: SessionContext, address: Address): Promise<boolean> {
  const code = await read('reading the signer account', () => context.rail.publicClient.getCode({ address }))
  return code !== undefined && code !== '0x'
}

const erc1271Abi = parseAbi(['function isValidSignature(bytes32 digest, bytes signature) view returns (bytes4)'])

/** ERC-1271 `isValidSignature` of a contract-wallet signer (an eth_call); a revert or another answer is a no. */
export function contractSignatureCheck(context: SessionContext): EvmSession.Voucher.ContractSignatureCheck {
  return async ({ signer, digest, signature }) => {
    try {
      const magic = await context.rail.publicClient.readContract({
        address: signer,
        abi: erc1271Abi,
        functionName: 'isValidSignature',
        args: [digest, signature],
      })
      return magic.toLowerCase() === '0x1626ba7e'
    } catch (error) {
      if (isTransportFailure(error)) throw unavailable('asking the signer wallet (ERC-1271)', error)
      return false
    }
  }
}

/**
 * The receipt of a payer's transaction once it has the configured confirmations (Transaction Outcome Checks):
 * status 0x0 is refused at once (409); unknown is refused; not mined yet is awaited up to the receipt timeout.
 */
export async function payerReceipt(context: SessionContext, hash: Hex, channelId: Hex): Promise<TransactionReceipt> {
  const { publicClient, config } = context.rail
  const extensions = { channelId }
  const lookup = () =>
    read('reading the transaction receipt', async () => {
      try {
        return await publicClient.getTransactionReceipt({ hash })
      } catch (error) {
        if (error instanceof TransactionReceiptNotFoundError) return undefined
        throw error
      }
    })
  let receipt = await lookup()
  if (receipt?.status === 'reverted')
    throw new TransactionRevertedError(`transaction ${hash} reverted on chain: it changed no channel`, { extensions })
  if (!receipt) {
    const known = await read('reading the transaction', async () => {
      try {
        return await publicClient.getTransaction({ hash })
      } catch (error) {
        if (error instanceof TransactionNotFoundError) return undefined
        throw error
      }
    })
    if (!known)
      throw new VerificationFailedError(`transaction ${hash} is not known on chain ${config.chainId}; broadcast it first`, { extensions })
  }
  if (!receipt || !(await isConfirmed(context.rail, receipt))) {
    try {
      receipt = await publicClient.waitForTransactionReceipt({
        hash,
        confirmations: config.confirmations,
        timeout: config.receiptTimeoutMs,
        pollingInterval: await context.rail.polling.ready(),
      })
    } catch (error) {
      if (error instanceof WaitForTransactionReceiptTimeoutError)
        throw new VerificationFailedError(
          `transaction ${hash} is not confirmed yet (${config.confirmations} confirmation(s) needed); send the credential again once it is`,
          { extensions },
        )
      if (isTransportFailure(error)) throw unavailable('waiting for the transaction', error)
      throw error
    }
  }
  if (receipt.status !== 'success')
    throw new TransactionRevertedError(`transaction ${hash} reverted on chain: it changed no channel`, { extensions })
  return receipt
}

/** The escrow's events of `eventName` about `channelId` in a receipt (direct calls and ERC-4337 bundles alike). */
export function escrowEvents<const name extends 'ChannelOpened' | 'TopUp'>(
  context: SessionContext,
  receipt: TransactionReceipt,
  eventName: name,
  channelId: Hex,
) {
  return parseEventLogs({ abi: EvmSession.escrowAbi, logs: receipt.logs, eventName }).filter(
    (log) => isAddressEqual(log.address, context.escrow) && log.args.channelId.toLowerCase() === channelId.toLowerCase(),
  )
}

/** A failed simulation's Solidity error name (custom error or `Error(string)` reason), when the node said why. */
export function revertOf(error: unknown): { errorName?: string; reason?: string } {
  if (!(error instanceof BaseError)) return {}
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(reverted instanceof ContractFunctionRevertedError)) return { reason: error.shortMessage.split('\n')[0] }
  const errorName = reverted.data?.errorName
  return { errorName: errorName === 'Error' ? undefined : errorName, reason: reverted.reason ?? errorName }
}

const tokenBalanceAbi = parseAbi(['function balanceOf(address) view returns (uint256)'])

export async function tokenBalance(context: SessionContext, owner: Address): Promise<bigint> {
  return read('reading the payer balance', () =>
    context.rail.publicClient.readContract({ address: context.token, abi: tokenBalanceAbi, functionName: 'balanceOf', args: [owner] }),
  )
}
