// EIP-3009 transferWithAuthorization: verified in full before any chain write, then submitted by
// the settler through the durable record. Serves MPP `authorization` credentials and x402 `exact`.
// The token itself is the final judge of signature, nonce and balance, so one simulation of the
// transfer proves them all; the separate reads run only when it fails, to say precisely why.
import { type Address, type Hex, encodeFunctionData, isAddressEqual, parseSignature, recoverTypedDataAddress, size } from 'viem'
import * as Evm from '@/lib/protocol/methods/evm'
import { InvalidChallengeError, PaymentExpiredError, PaymentInsufficientError, VerificationFailedError } from '@/lib/protocol/Problem'
import { SettlementReplayError } from '@/lib/rails/errors'
import * as Settlements from '@/lib/store/settlements'
import { RailUnavailableError } from '../Errors'
import { latestBlockNumber } from './chainHead'
import { claimOrReject } from './claim'
import { confirmSettlement } from './confirm'
import type { RailContext } from './context'
import { type Fees, feesOn } from './fees'
import * as ReplayKey from './replayKey'
import { read, revertReason, unavailable, isTransportFailure } from './rpc'
import { MaybeBroadcastError, NotBroadcastError, type Submitted } from './Settler'
import { tokenAbi } from './tokenAbi'
import { isoTime } from './time'

/** The settler needs a few seconds to get the transaction mined before the authorization lapses. */
export const minRemainingValiditySeconds = 6n

export type AuthorizationInput = {
  authorization: Evm.Authorization
  signature: Hex
  /** Exactly what must move: to whom and how much (base units). */
  price: { recipient: Address; amount: bigint }
  domain: Evm.TokenDomain
  /** The latest `validBefore` we accept, and how to name that limit in a rejection. */
  latestValidBefore: { at: bigint; describe: string }
  /** MPP binds the nonce to the challenge; x402 nonces are random (undefined). */
  expectedNonce?: { nonce: Hex; describe: string }
  /** Extra facts kept with the settlement record (protocol, challenge id, ...). */
  details: Record<string, unknown>
  /** Runs after every check passed and before the claim: the last chance to refuse without spending gas. */
  beforeSubmit?: () => Promise<void>
}

export type AuthorizationSettlement = { txHash: Hex; payer: Address; replayKey: string }

/** The call to submit, and what the verification learned that the submission can reuse. */
export type VerifiedAuthorization = {
  call: TransferCall
  /** Gas and fees from the simulation that proved the call (undefined: the settler estimates them). */
  gas?: bigint
  fees?: Fees
  /** A block no later than the state the checks saw: where reconcile() starts looking for someone else's relay. */
  fromBlock: bigint
}

/** Blocks the relay search reaches back behind the head read beside the simulation (they run in parallel). */
const fromBlockMargin = 64n

type TransferCall = {
  functionName: 'transferWithAuthorization'
  args:
    | readonly [Address, Address, bigint, bigint, bigint, Hex, number, Hex, Hex]
    | readonly [Address, Address, bigint, bigint, bigint, Hex, Hex]
}

/** Verifies, claims and settles one EIP-3009 authorization. Throws typed problems; nothing moves on failure. */
export async function settleAuthorization(context: RailContext, input: AuthorizationInput): Promise<AuthorizationSettlement> {
  const verified = await verifyAuthorization(context, input)
  const { call } = verified
  await input.beforeSubmit?.()
  const { replayKey, claim, what } = claimOf(context, input, verified)
  const token = input.domain.verifyingContract

  const data = encodeFunctionData({ abi: tokenAbi, functionName: call.functionName, args: call.args })
  // The claim is written with the signed transaction's hash, in the settler's turn: one statement both
  // takes the payment (a replay is refused here, before anything is sent) and records what will be sent.
  let claimed = false
  let submitted
  try {
    submitted = await context.settler.submit({ to: token, data, gas: verified.gas, fees: verified.fees }, async (hash) => {
      if (claimed) return Settlements.markSubmitted(context.db, replayKey, hash)
      await claimOrReject(context, { ...claim, txHash: hash }, what)
      claimed = true
    })
  } catch (error) {
    throw await submissionFailure(context, claimed ? replayKey : undefined, what, error)
  }
  return confirmed(context, input, replayKey, submitted)
}

/** A verified authorization claimed for this request but not submitted yet: capture settles it, release lets it go. */
export type HeldAuthorization = {
  capture(): Promise<AuthorizationSettlement>
  /** The record becomes `failed`, so the same authorization can pay again; nothing was sent. */
  release(reason: string): Promise<void>
}

/**
 * Settle after success: verifies the authorization in full and claims it durably (no other request or
 * instance can spend it), without sending anything. The record says until when it is held (the
 * authorization's validBefore), so reconcile() leaves it alone while the caller's delivery runs.
 */
export async function holdAuthorization(context: RailContext, input: AuthorizationInput): Promise<HeldAuthorization> {
  const verified = await verifyAuthorization(context, input)
  await input.beforeSubmit?.()
  const { replayKey, claim, what } = claimOf(context, input, verified)
  const details = { ...claim.details, heldUntil: input.authorization.validBefore }
  // A failed record taken back keeps the details it had: this hold's are written over them.
  if ((await claimOrReject(context, { ...claim, details }, what)) === 'reclaimed')
    await Settlements.updateDetails(context.db, replayKey, details)
  const token = input.domain.verifyingContract
  const validBefore = BigInt(input.authorization.validBefore)
  let open = true

  return {
    capture: async () => {
      if (!open) throw new Error(`${what} was already captured or released`)
      open = false
      if (validBefore <= context.now() + minRemainingValiditySeconds) {
        await Settlements.releaseClaim(context.db, replayKey, 'released: the authorization lapsed while it was held')
        throw new PaymentExpiredError(
          `the authorization expires at ${isoTime(validBefore)}, before the held payment could be settled; nothing was charged`,
        )
      }
      const { call } = verified
      const data = encodeFunctionData({ abi: tokenAbi, functionName: call.functionName, args: call.args })
      let held = true
      let submitted
      try {
        // Gas and fees are worked out again: the chain may have moved on while the delivery ran.
        submitted = await context.settler.submit({ to: token, data }, async (hash) => {
          if (!held) return Settlements.markSubmitted(context.db, replayKey, hash)
          if (!(await Settlements.submitClaimed(context.db, replayKey, hash)))
            throw new VerificationFailedError(`${what} is no longer held for this request; nothing was charged`)
          held = false
        })
      } catch (error) {
        throw await submissionFailure(context, replayKey, what, error)
      }
      return confirmed(context, input, replayKey, submitted)
    },
    release: async (reason) => {
      if (!open) return
      open = false
      await Settlements.releaseClaim(context.db, replayKey, `released: ${reason}`)
    },
  }
}

/** The durable record of an authorization's settlement: its replay key and what it keeps. */
function claimOf(context: RailContext, input: AuthorizationInput, verified: VerifiedAuthorization) {
  const { authorization } = input
  const token = input.domain.verifyingContract
  const from = authorization.from
  const replayKey = ReplayKey.forAuthorization(context.config.chainId, token, from, authorization.nonce)
  const what = `the authorization from ${from} (nonce ${authorization.nonce})`
  const claim = {
    replayKey,
    payer: from,
    amount: authorization.value,
    details: {
      ...input.details,
      kind: 'authorization',
      chainId: context.config.chainId,
      token,
      from,
      to: authorization.to,
      value: authorization.value,
      nonce: authorization.nonce,
      validBefore: authorization.validBefore,
      // Bounds the log search when reconciling an authorization someone else submitted.
      fromBlock: verified.fromBlock.toString(),
    } as Record<string, unknown>,
  }
  return { replayKey, claim, what }
}

async function confirmed(
  context: RailContext,
  input: AuthorizationInput,
  replayKey: string,
  submitted: Submitted,
): Promise<AuthorizationSettlement> {
  const { txHash } = submitted
  const from = input.authorization.from
  await confirmSettlement(context, {
    replayKey,
    txHash,
    receipt: submitted.receipt,
    what: 'the transferWithAuthorization',
    expected: { token: input.domain.verifyingContract, from, to: input.price.recipient, value: input.price.amount },
  })
  return { txHash, payer: from, replayKey }
}

/**
 * Maps a failed submit to the error the payer sees, and records it. Only a possibly-broadcast
 * transaction keeps its record `submitted` (reconcile decides); anything else never left this
 * process, so the record becomes `failed` and the same credential may be retried. `replayKey` is
 * undefined when the failure came before this request held the record (nothing to mark).
 */
export async function submissionFailure(context: RailContext, replayKey: string | undefined, what: string, error: unknown): Promise<Error> {
  if (error instanceof MaybeBroadcastError) return unavailable('broadcasting the settlement', error)
  const transport = isTransportFailure(error)
  if (!(error instanceof NotBroadcastError) && !transport) return error instanceof Error ? error : new Error(String(error))
  const reason = error instanceof NotBroadcastError ? error.reason : 'the chain is unavailable'
  if (replayKey !== undefined) await Settlements.markFailed(context.db, replayKey, `not broadcast: ${reason}`)
  if (transport) return unavailable('preparing the settlement', error)
  if (error instanceof NotBroadcastError && error.settlerFault)
    return new RailUnavailableError(`settlement is unavailable: ${reason}`, { cause: error })
  return new VerificationFailedError(`${what} could not be submitted: ${reason}`, { cause: error })
}

/** Every check that needs no chain write: the terms here, then the chain's word. Returns the call to submit. */
export async function verifyAuthorization(context: RailContext, input: AuthorizationInput): Promise<VerifiedAuthorization> {
  const { authorization, price } = input
  const to = authorization.to
  const from = authorization.from
  const value = BigInt(authorization.value)
  const validAfter = BigInt(authorization.validAfter)
  const validBefore = BigInt(authorization.validBefore)

  if (!isAddressEqual(to, price.recipient))
    throw new VerificationFailedError(`the authorization pays ${to}, but this payment is due to ${price.recipient}`)
  if (value < price.amount)
    throw new PaymentInsufficientError(`the authorization transfers ${value} base units; the price is ${price.amount}`)
  if (value > price.amount)
    throw new VerificationFailedError(
      `the authorization transfers ${value} base units, more than the price of ${price.amount}; it must be exact`,
    )
  if (input.expectedNonce && authorization.nonce.toLowerCase() !== input.expectedNonce.nonce.toLowerCase())
    throw new VerificationFailedError(`the authorization nonce must be ${input.expectedNonce.describe}`)

  const now = context.now()
  if (validBefore <= now + minRemainingValiditySeconds)
    throw new PaymentExpiredError(
      validBefore <= now
        ? `the authorization expired at ${isoTime(validBefore)}`
        : `the authorization expires at ${isoTime(validBefore)}, too soon to settle (at least ${minRemainingValiditySeconds} s needed)`,
    )
  if (validBefore > input.latestValidBefore.at)
    throw new VerificationFailedError(
      `the authorization stays valid until ${isoTime(validBefore)}, beyond ${input.latestValidBefore.describe} (${isoTime(input.latestValidBefore.at)})`,
    )
  if (validAfter >= validBefore) throw new VerificationFailedError('the authorization validity window is empty (validAfter >= validBefore)')
  if (validAfter > now) throw new VerificationFailedError(`the authorization is not valid before ${isoTime(validAfter)}`)

  const base = [from, to, value, validAfter, validBefore, authorization.nonce] as const
  const proven = await provenBySimulation(context, input, base)
  if (proven) return proven
  // Something is wrong (or the wallet could not be told apart in one step): the checks one by one say what.
  const call = await verifyStepByStep(context, input, base)
  const head = await latestBlockNumber(context)
  return { call, fromBlock: head > fromBlockMargin ? head - fromBlockMargin : 0n }
}

type TransferBase = readonly [Address, Address, bigint, bigint, bigint, Hex]

/**
 * The fast path: one gas estimate of the transfer from the settler is the simulation that proves
 * signature, unused nonce, balance and window on the token itself, and it gives the gas; the payer's
 * code, the latest block and the fee tip are read beside it. Undefined when the simulation fails or
 * the payer's code contradicts the form tried (an EOA has none, a wallet has some): the
 * step-by-step checks then decide, with their precise refusals.
 */
async function provenBySimulation(
  context: RailContext,
  input: AuthorizationInput,
  base: TransferBase,
): Promise<VerifiedAuthorization | undefined> {
  const { from } = input.authorization
  const token = input.domain.verifyingContract
  // A 65-byte signature is tried as an EOA's (v,r,s), any other as a contract wallet's (bytes): the
  // token's own check in the simulation decides, so the signature is not recovered here (measured:
  // 1-4 ms of CPU per payment that the simulation makes redundant).
  const asEoa = size(input.signature) === 65 ? eoaCall(base, input.signature) : undefined
  const estimate = (call: TransferCall) =>
    context.publicClient
      .estimateContractGas({
        account: context.settler.address,
        address: token,
        abi: tokenAbi,
        functionName: call.functionName,
        args: call.args,
      })
      .catch((error: unknown) => {
        if (isTransportFailure(error)) throw unavailable('simulating the settlement', error)
        return undefined
      })
  let call = asEoa ?? walletCall(base, input.signature)
  const [code, block, tip, firstGas] = await Promise.all([
    read('reading the payer account', () => context.publicClient.getCode({ address: from })),
    read('reading the latest block', () => context.publicClient.getBlock({ blockTag: 'latest' })),
    context.fees.tip(context.polling.intervalMs()),
    estimate(call),
  ])
  let gas = firstGas
  const isContract = code !== undefined && code !== '0x'
  if (isContract && asEoa) {
    // A contract wallet whose signature happens to be 65 bytes: it pays through the bytes form.
    call = walletCall(base, input.signature)
    gas = await estimate(call)
  }
  if (gas === undefined || (!isContract && !asEoa)) return undefined
  return {
    call,
    gas,
    fees: feesOn(block, tip),
    fromBlock: block.number > fromBlockMargin ? block.number - fromBlockMargin : 0n,
  }
}

/** The v,r,s form; undefined when the 65 bytes are no ECDSA signature (their recovery id is out of range). */
function eoaCall(base: TransferBase, signature: Hex): TransferCall | undefined {
  let parsed
  try {
    parsed = parseSignature(signature)
  } catch {
    return undefined
  }
  const { r, s, v, yParity } = parsed
  return { functionName: 'transferWithAuthorization', args: [...base, Number(v ?? BigInt(yParity + 27)), r, s] }
}

function walletCall(base: TransferBase, signature: Hex): TransferCall {
  return { functionName: 'transferWithAuthorization', args: [...base, signature] }
}

/** The checks one at a time, cheapest first, each with its own precise refusal. Returns the call to submit. */
async function verifyStepByStep(context: RailContext, input: AuthorizationInput, base: TransferBase): Promise<TransferCall> {
  const { authorization, domain } = input
  const token = domain.verifyingContract
  const from = authorization.from
  const value = BigInt(authorization.value)
  const typedData = Evm.transferWithAuthorizationTypedData(domain, authorization)
  const code = await read('reading the payer account', () => context.publicClient.getCode({ address: from }))
  const isContract = code !== undefined && code !== '0x'
  if (!isContract && size(input.signature) !== 65)
    throw new VerificationFailedError(
      isErc6492(input.signature)
        ? `the payer ${from} is a smart wallet that is not deployed yet (ERC-6492); deploy it before paying`
        : `the signature is ${size(input.signature)} bytes; an EOA signature is 65 bytes`,
    )
  let valid: boolean
  try {
    valid = await context.publicClient.verifyTypedData({ ...typedData, address: from, signature: input.signature })
  } catch (error) {
    if (isTransportFailure(error)) throw unavailable('verifying the signature', error)
    valid = false
  }
  if (!valid) throw new VerificationFailedError(await describeBadSignature(input, isContract))

  const [balance, used] = await read('reading the payer balance', () =>
    Promise.all([
      context.publicClient.readContract({ address: token, abi: tokenAbi, functionName: 'balanceOf', args: [from] }),
      context.publicClient.readContract({
        address: token,
        abi: tokenAbi,
        functionName: 'authorizationState',
        args: [from, authorization.nonce],
      }),
    ]),
  )
  if (used) {
    // Used by our own settlement (a retry after a crash, a lost answer or a failed delivery): a replay
    // the gate can recover from its record. The signature was verified above, so it is the payer's.
    const record = await Settlements.get(context.db, ReplayKey.forAuthorization(context.config.chainId, token, from, authorization.nonce))
    const where = record?.txHash ? ` (transaction ${record.txHash})` : ''
    if (record && record.status !== 'failed')
      throw new SettlementReplayError(
        `the authorization from ${from} with nonce ${authorization.nonce} was already used on chain${where}; it cannot pay twice`,
        record.replayKey,
      )
    throw new InvalidChallengeError(
      `the authorization from ${from} with nonce ${authorization.nonce} was already used or canceled on chain`,
    )
  }
  if (balance < value)
    throw new VerificationFailedError(`the payer ${from} holds ${balance} base units of ${token}, less than the price of ${value}`)

  // EOAs get the v,r,s form every EIP-3009 token has; contract wallets need the bytes (ERC-1271) form.
  const call = isContract ? walletCall(base, input.signature) : eoaCall(base, input.signature)
  if (!call) throw new VerificationFailedError(await describeBadSignature(input, isContract))

  try {
    await context.publicClient.simulateContract({
      account: context.settler.address,
      address: token,
      abi: tokenAbi,
      functionName: call.functionName,
      args: call.args,
    })
  } catch (error) {
    if (isTransportFailure(error)) throw unavailable('simulating the settlement', error)
    throw new VerificationFailedError(`transferWithAuthorization would revert: ${revertReason(error)}`, { cause: error })
  }
  return call
}

async function describeBadSignature(input: AuthorizationInput, isContract: boolean): Promise<string> {
  const { from } = input.authorization
  const scope = `for ${input.domain.name} v${input.domain.version} (${input.domain.verifyingContract}) on chain ${input.domain.chainId}`
  if (isContract) return `the smart wallet ${from} did not accept the signature (ERC-1271) ${scope}`
  try {
    const signer = await recoverTypedDataAddress({
      ...Evm.transferWithAuthorizationTypedData(input.domain, input.authorization),
      signature: input.signature,
    })
    return `the signature recovers to ${signer}, not to the payer ${from}, for these terms ${scope} (wrong signer, token, chain or terms)`
  } catch {
    return `the signature is not a valid EIP-712 signature by ${from} ${scope}`
  }
}

// ERC-6492 wraps counterfactual-wallet signatures and ends with this magic suffix.
const erc6492Suffix = '6492649264926492649264926492649264926492649264926492649264926492'

function isErc6492(signature: Hex): boolean {
  return signature.toLowerCase().endsWith(erc6492Suffix)
}
