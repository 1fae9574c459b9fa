// `hash` credentials: the payer already broadcast an ERC-20 transfer; its receipt must show exactly
// the price moving to the recipient, and the hash is consumed so it can pay only once.
import {
  type Address,
  type Hex,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  isAddressEqual,
} from 'viem'
import type { TransactionReceipt } from 'viem'
import { PaymentInsufficientError, VerificationFailedError } from '@/lib/protocol/Problem'
import * as Settlements from '@/lib/store/settlements'
import { isConfirmed } from './chainHead'
import { claimOrReject } from './claim'
import type { RailContext } from './context'
import { refuseSelfPayment } from './policy'
import * as ReplayKey from './replayKey'
import { isTransportFailure, read, unavailable } from './rpc'
import { type Transfer, transfersIn } from './transferLog'

export type HashInput = {
  txHash: Hex
  price: { token: Address; recipient: Address; amount: bigint }
  details: Record<string, unknown>
}

export type HashSettlement = { txHash: Hex; payer: Address; replayKey: string }

export async function settleHash(context: RailContext, input: HashInput): Promise<HashSettlement> {
  const receipt = await confirmedReceipt(context, input.txHash)
  const transfer = matchingTransfer(input, receipt)
  refuseSelfPayment(transfer.from, input.price.recipient)
  const replayKey = ReplayKey.forTransaction(context.config.chainId, input.txHash)
  await claimOrReject(
    context,
    {
      replayKey,
      payer: transfer.from,
      amount: transfer.value.toString(),
      details: {
        ...input.details,
        kind: 'hash',
        chainId: context.config.chainId,
        token: transfer.token,
        from: transfer.from,
        to: transfer.to,
        value: transfer.value.toString(),
      },
    },
    `transaction ${input.txHash}`,
  )
  await Settlements.markSettled(context.db, replayKey, input.txHash)
  return { txHash: input.txHash, payer: transfer.from, replayKey }
}

/** The receipt of `txHash` once it has the configured confirmations; a 402 when it is unknown or reverted. */
export async function confirmedReceipt(context: RailContext, txHash: Hex): Promise<TransactionReceipt> {
  const { publicClient, config } = context
  let receipt = await read('reading the transaction receipt', async () => {
    try {
      return await publicClient.getTransactionReceipt({ hash: txHash })
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined
      throw error
    }
  })
  if (!receipt) {
    const known = await read('reading the transaction', async () => {
      try {
        return await publicClient.getTransaction({ hash: txHash })
      } catch (error) {
        if (error instanceof TransactionNotFoundError) return undefined
        throw error
      }
    })
    if (!known) throw new VerificationFailedError(`transaction ${txHash} is not known on chain ${config.chainId}`)
  }
  if (!receipt || !(await isConfirmed(context, receipt))) {
    try {
      receipt = await publicClient.waitForTransactionReceipt({
        hash: txHash,
        confirmations: config.confirmations,
        timeout: config.receiptTimeoutMs,
        pollingInterval: await context.polling.ready(),
      })
    } catch (error) {
      if (error instanceof WaitForTransactionReceiptTimeoutError)
        throw new VerificationFailedError(
          `transaction ${txHash} is not confirmed yet (${config.confirmations} confirmation(s) needed); retry once it is`,
        )
      if (isTransportFailure(error)) throw unavailable('waiting for the transaction', error)
      throw error
    }
  }
  if (receipt.status !== 'success') throw new VerificationFailedError(`transaction ${txHash} reverted; it moved no funds`)
  return receipt
}

/** The one Transfer in the receipt that pays the price exactly; otherwise the most precise rejection. */
function matchingTransfer(input: HashInput, receipt: TransactionReceipt): Transfer {
  const { token, recipient, amount } = input.price
  const transfers = transfersIn(receipt.logs)
  const ofToken = transfers.filter((t) => isAddressEqual(t.token, token))
  if (ofToken.length === 0) {
    const other = transfers.find((t) => isAddressEqual(t.to, recipient))
    throw new VerificationFailedError(
      other
        ? `transaction ${input.txHash} transfers token ${other.token}, not ${token}`
        : `transaction ${input.txHash} contains no Transfer of ${token}`,
    )
  }
  const toRecipient = ofToken.filter((t) => isAddressEqual(t.to, recipient))
  if (toRecipient.length === 0)
    throw new VerificationFailedError(
      `transaction ${input.txHash} transferred ${token} to ${ofToken[0]?.to}, not to the recipient ${recipient}`,
    )
  const exact = toRecipient.find((t) => t.value === amount)
  if (exact) return exact
  const largest = toRecipient.reduce((max, t) => (t.value > max ? t.value : max), 0n)
  if (largest < amount)
    throw new PaymentInsufficientError(`transaction ${input.txHash} transferred ${largest} base units; the price is ${amount}`)
  throw new VerificationFailedError(`transaction ${input.txHash} transferred ${largest} base units, not exactly the price of ${amount}`)
}
