// `transaction` credentials: a payer-signed EIP-1559 ERC-20 transfer that the server broadcasts
// after checking chain, token, selector, recipient and amount, and simulating it.
import {
  type Address,
  type Hex,
  TransactionReceiptNotFoundError,
  type TransactionReceipt,
  decodeFunctionData,
  getAddress,
  isAddressEqual,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  size,
} from 'viem'
import type { TransactionSerializedEIP1559 } from 'viem'
import { MalformedCredentialError, PaymentInsufficientError, VerificationFailedError } from '@/lib/protocol/Problem'
import { submissionFailure } from './authorization'
import { claimOrReject } from './claim'
import { confirmSettlement } from './confirm'
import type { RailContext } from './context'
import { settleHash } from './hash'
import { refuseSelfPayment } from './policy'
import * as ReplayKey from './replayKey'
import { isTransportFailure, read, revertReason, unavailable } from './rpc'
import { MaybeBroadcastError, NotBroadcastError, nodeMessage } from './Settler'
import { tokenAbi, transferSelector } from './tokenAbi'

export type TransactionInput = {
  serializedTransaction: Hex
  price: { token: Address; recipient: Address; amount: bigint }
  details: Record<string, unknown>
}

export type TransactionSettlement = { txHash: Hex; payer: Address; replayKey: string }

export async function settleTransaction(context: RailContext, input: TransactionInput): Promise<TransactionSettlement> {
  const { publicClient, config } = context
  const { token, recipient, amount } = input.price
  const serialized = input.serializedTransaction

  let transaction
  try {
    transaction = parseTransaction(serialized)
  } catch {
    throw new MalformedCredentialError('payload.signature is not a serialized signed transaction')
  }
  if (transaction.type !== 'eip1559')
    throw new VerificationFailedError(`the transaction is of type ${transaction.type}; an EIP-1559 (type 2) transaction is required`)
  if (transaction.r === undefined || transaction.s === undefined || transaction.yParity === undefined)
    throw new VerificationFailedError('the transaction is not signed')
  if (transaction.chainId !== config.chainId)
    throw new VerificationFailedError(`the transaction is for chain ${transaction.chainId}; this payment is on chain ${config.chainId}`)
  if (!transaction.to || !isAddressEqual(transaction.to, token))
    throw new VerificationFailedError(
      `the transaction calls ${transaction.to ? getAddress(transaction.to) : 'nothing (contract creation)'}, not the token ${token}`,
    )
  if ((transaction.value ?? 0n) !== 0n) throw new VerificationFailedError('the transaction must not send ether')
  const data = transaction.data ?? '0x'
  if (!data.toLowerCase().startsWith(transferSelector) || size(data) !== 68)
    throw new VerificationFailedError('the transaction does not call transfer(address,uint256) on the token')
  const { args } = decodeFunctionData({ abi: tokenAbi, data })
  const [to, value] = args as readonly [Address, bigint]
  if (!isAddressEqual(to, recipient))
    throw new VerificationFailedError(`the transaction pays ${to}, but this payment is due to ${recipient}`)
  if (value < amount) throw new PaymentInsufficientError(`the transaction transfers ${value} base units; the price is ${amount}`)
  if (value > amount)
    throw new VerificationFailedError(`the transaction transfers ${value} base units, more than the price of ${amount}; it must be exact`)

  let payer: Address
  try {
    payer = await recoverTransactionAddress({ serializedTransaction: serialized as TransactionSerializedEIP1559 })
  } catch {
    throw new VerificationFailedError('the transaction signature is invalid')
  }
  refuseSelfPayment(payer, recipient)
  const txHash = keccak256(serialized)

  // Already mined (the payer broadcast it too): it can only be checked, like a `hash` credential.
  const mined = await read('reading the transaction receipt', async () => {
    try {
      return await publicClient.getTransactionReceipt({ hash: txHash })
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined
      throw error
    }
  })
  if (mined) return settleHash(context, { txHash, price: input.price, details: input.details })

  const [confirmedNonce, pendingNonce, balance, ether] = await read('reading the payer account', () =>
    Promise.all([
      publicClient.getTransactionCount({ address: payer, blockTag: 'latest' }),
      publicClient.getTransactionCount({ address: payer, blockTag: 'pending' }),
      publicClient.readContract({ address: token, abi: tokenAbi, functionName: 'balanceOf', args: [payer] }),
      publicClient.getBalance({ address: payer }),
    ]),
  )
  if (transaction.nonce === undefined || transaction.nonce < confirmedNonce)
    throw new VerificationFailedError(`the transaction nonce ${transaction.nonce} was already used by another transaction of ${payer}`)
  if (transaction.nonce > pendingNonce)
    throw new VerificationFailedError(
      `the transaction nonce ${transaction.nonce} is ahead of ${payer}'s next nonce ${pendingNonce}; it would not be mined`,
    )
  if (balance < value)
    throw new VerificationFailedError(`the payer ${payer} holds ${balance} base units of ${token}, less than the price of ${value}`)
  const maxGasCost = (transaction.gas ?? 0n) * (transaction.maxFeePerGas ?? 0n)
  if (ether < maxGasCost)
    throw new VerificationFailedError(`the payer ${payer} cannot pay the transaction's gas (needs up to ${maxGasCost} wei)`)

  try {
    await publicClient.call({ account: payer, to: token, data, gas: transaction.gas })
  } catch (error) {
    if (isTransportFailure(error)) throw unavailable('simulating the transfer', error)
    throw new VerificationFailedError(`the transfer would revert: ${revertReason(error)}`, { cause: error })
  }

  const replayKey = ReplayKey.forTransaction(config.chainId, txHash)
  // Claimed as `submitted` with its hash before sending: after a crash, reconcile() looks it up on chain.
  await claimOrReject(
    context,
    {
      replayKey,
      payer,
      amount: value.toString(),
      txHash,
      details: { ...input.details, kind: 'transaction', chainId: config.chainId, token, from: payer, to, value: value.toString(), txHash },
    },
    `transaction ${txHash}`,
  )
  let sent
  try {
    sent = await broadcast(context, serialized, txHash)
  } catch (error) {
    throw await submissionFailure(context, replayKey, `transaction ${txHash}`, error)
  }
  await confirmSettlement(context, {
    replayKey,
    txHash,
    receipt: sent.receipt,
    what: `transaction ${txHash}`,
    expected: { token, from: payer, to: recipient, value: amount },
  })
  return { txHash, payer, replayKey }
}

/** Sends the payer's transaction; resolves with the receipt the node may send along (else undefined: poll). */
async function broadcast(
  context: RailContext,
  serialized: Hex,
  txHash: Hex,
): Promise<{ receipt: Promise<TransactionReceipt | undefined> }> {
  try {
    return await context.broadcaster.send(serialized, txHash)
  } catch (error) {
    if (/already known|already imported/.test(nodeMessage(error))) return { receipt: Promise.resolve(undefined) }
    if (isTransportFailure(error)) throw new MaybeBroadcastError(txHash, { cause: error })
    throw new NotBroadcastError(`the node rejected the transaction: ${revertReason(error)}`, false, { cause: error })
  }
}
