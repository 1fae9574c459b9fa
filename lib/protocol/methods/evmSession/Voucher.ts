// Vouchers (draft-evm-session-00, Voucher Signing Format and Voucher Verification): the EIP-712 typed
// data a payer signs for a cumulative amount, the signature rules the escrow enforces (65 bytes, low-s,
// v 27/28), and the spec's voucher checks in their order, run on channel state the caller supplies (no RPC).
import { concat, getAddress, hashDomain, hashStruct, keccak256, type Address, type Hex, type TypedDataDefinition } from 'viem'
import { RecentlyUsed } from '@/lib/cache/recently-used'
import {
  AmountExceedsDepositError,
  ChannelFinalizedError,
  ChannelNotFoundError,
  DeltaTooSmallError,
  InvalidSignatureError,
  MalformedSessionPayloadError,
  SignerMismatchError,
} from '@/lib/protocol/Problem'
import { voucherSigner } from './Channel'
import * as SignerKey from './internal/SignerKey'
import { maxUint128 } from './internal/Wire'

export { SignerKeys } from './internal/SignerKey'

export const domainName = 'EVM Payment Channel'
export const domainVersion = '1'

export const types = {
  Voucher: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'cumulativeAmount', type: 'uint128' },
  ],
} as const

/** secp256k1 order / 2: a canonical signature's `s` is at most this. */
export const halfCurveOrder = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/** Which escrow deployment and chain a voucher is for (the EIP-712 domain's variable part). */
export type Domain = { chainId: number; escrow: Address }

export type Message = { channelId: Hex; cumulativeAmount: bigint }

export type Voucher = Message & { signature: Hex }

export type TypedData = TypedDataDefinition<typeof types, 'Voucher'>

/** The typed data to sign or verify with viem: domain {name:"EVM Payment Channel", version:"1", chainId, verifyingContract: escrow}. */
export function typedData(domain: Domain, message: Message): TypedData {
  return {
    domain: {
      name: domainName,
      version: domainVersion,
      chainId: domain.chainId,
      verifyingContract: getAddress(domain.escrow.toLowerCase()),
    },
    types,
    primaryType: 'Voucher',
    message: { channelId: message.channelId, cumulativeAmount: message.cumulativeAmount },
  }
}

const domainTypes = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
} as const

/** Domain separators by chain and escrow: the same few domains hash every voucher (viem's hashTypedData re-hashes it each time). */
const domainSeparators = new RecentlyUsed<Hex>(64)

function domainSeparator(domain: Domain): Hex {
  const key = `${domain.chainId}:${domain.escrow.toLowerCase()}`
  let separator = domainSeparators.get(key)
  if (!separator) {
    const typed = {
      name: domainName,
      version: domainVersion,
      chainId: BigInt(domain.chainId),
      verifyingContract: getAddress(domain.escrow.toLowerCase()),
    }
    separator = hashDomain({ domain: typed, types: domainTypes })
    domainSeparators.set(key, separator)
  }
  return separator
}

/**
 * The EIP-712 digest (what ERC-1271 wallets are asked about; equals the escrow's `hashVoucher`, and viem's
 * hashTypedData of typedData()), with the domain separator kept per chain and escrow.
 */
export function hash(domain: Domain, message: Message): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(message.channelId)) throw new MalformedSessionPayloadError('channelId must be 32 bytes')
  if (message.cumulativeAmount < 0n || message.cumulativeAmount > maxUint128)
    throw new MalformedSessionPayloadError('cumulativeAmount must be a uint128')
  const data = { channelId: message.channelId, cumulativeAmount: message.cumulativeAmount }
  return keccak256(concat(['0x1901', domainSeparator(domain), hashStruct({ data, primaryType: 'Voucher', types })]))
}

/**
 * Why a signature is not a 65-byte canonical ECDSA signature (r || s || v, v in {27, 28}, 0 < s <= n/2),
 * or undefined when it is. The escrow refuses exactly these for EOA signers.
 */
export function ecdsaSignatureProblem(signature: Hex): string | undefined {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return 'must be 65 bytes (r || s || v); compact 64-byte signatures are not accepted'
  const r = BigInt(`0x${signature.slice(2, 66)}`)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130), 16)
  if (v !== 27 && v !== 28) return 'must end in v = 27 or 28'
  if (r === 0n || s === 0n) return 'has a zero r or s'
  if (s > halfCurveOrder) return 'has a high s value (not canonical): sign with a library that produces low-s signatures'
  return undefined
}

/** Whether a 65-byte signature carries a high `s`; such signatures are refused whoever the signer is, as the escrow does. */
export function hasHighS(signature: Hex): boolean {
  return signature.length === 132 && BigInt(`0x${signature.slice(66, 130)}`) > halfCurveOrder
}

/** The address whose key signed a canonical ECDSA voucher. Throws InvalidSignatureError for anything else. */
export async function recoverSigner(domain: Domain, voucher: Voucher): Promise<Address> {
  assertCanonical(voucher)
  return recoverKey(hash(domain, voucher), voucher).address
}

function assertCanonical(voucher: Voucher): void {
  const problem = ecdsaSignatureProblem(voucher.signature)
  if (problem) throw new InvalidSignatureError(`voucher signature ${problem}`, { extensions: { channelId: voucher.channelId } })
}

function recoverKey(digest: Hex, voucher: Voucher): SignerKey.SignerKey {
  try {
    return SignerKey.recover(digest, voucher.signature)
  } catch (cause) {
    throw new InvalidSignatureError('voucher signature recovers no signer', { cause, extensions: { channelId: voucher.channelId } })
  }
}

/**
 * Steps 3-5 for an EOA signer: the signature is canonical and recovers `signer`. A key recovered before (kept in
 * `keys`) is checked without a recovery; a mismatch is recovered in full to name the signer it came from.
 */
async function checkEcdsaSigner(domain: Domain, voucher: Voucher, signer: Address, keys: SignerKey.SignerKeys | undefined): Promise<void> {
  assertCanonical(voucher)
  const digest = hash(domain, voucher)
  const known = keys?.get(signer)
  if (known && SignerKey.recoversTo(known, digest, voucher.signature)) return
  const recovered = recoverKey(digest, voucher)
  if (recovered.address.toLowerCase() !== signer.toLowerCase())
    throw new SignerMismatchError(
      `the voucher is signed by ${recovered.address}, but channel ${voucher.channelId} accepts vouchers from ${signer}`,
      { extensions: { channelId: voucher.channelId } },
    )
  keys?.remember(recovered)
}

/**
 * True when `keys` holds `signer`'s key and the voucher (a uint128 amount, a canonical signature) recovers to it;
 * false when that is not known (an unknown signer, or anything else): then `verify` decides and names the problem.
 */
export function isSignedByKnownKey(domain: Domain, voucher: Voucher, signer: Address, keys: SignerKey.SignerKeys): boolean {
  if (voucher.cumulativeAmount < 0n || voucher.cumulativeAmount > maxUint128 || ecdsaSignatureProblem(voucher.signature)) return false
  const key = keys.get(signer)
  return key !== undefined && SignerKey.recoversTo(key, hash(domain, voucher), voucher.signature)
}

/** Channel state as the server recorded it when the open (or a topUp) was verified on chain. */
export type ChannelState = {
  channelId: Hex
  payer: Address
  /** The zero address or absent: the payer signs. */
  authorizedSigner?: Address
  deposit: bigint
  /** Unix seconds of a pending forced close; 0 when none. */
  closeRequestedAt: bigint
  finalized: boolean
  /** The voucher signer has code (a smart-contract wallet): its vouchers are checked through ERC-1271. */
  signerIsContract?: boolean
}

export type ContractSignatureCheck = (parameters: { signer: Address; digest: Hex; signature: Hex }) => Promise<boolean>

export type VerifyParameters = {
  domain: Domain
  /** undefined: the server knows no such channel. */
  channel: ChannelState | undefined
  voucher: Voucher
  /** The highest voucher amount accepted so far on this channel (`highestVoucherAmount`). */
  acceptedCumulative: bigint
  /** The challenge's `minVoucherDelta` (default 0: any increase). */
  minVoucherDelta?: bigint
  /** Asks an ERC-1271 signer's `isValidSignature` (an eth_call); without it, contract signers are refused. */
  isValidContractSignature?: ContractSignatureCheck
  /** EOA signers' keys recovered before (the caller's cache): later vouchers are checked without a recovery. */
  signerKeys?: SignerKey.SignerKeys
}

export type Outcome =
  /** At or below what was already accepted: answer 200 and change nothing (a replay or a stale voucher). */
  | { status: 'replay'; acceptedCumulative: bigint }
  /** Raises the accepted amount: persist `cumulativeAmount` before serving anything against it. */
  | { status: 'accepted'; cumulativeAmount: bigint; delta: bigint }

/**
 * The spec's voucher verification on known channel state, in its order: channel open and no pending close
 * (step 1); signature format, recovery and signer (steps 3-5, always before the replay short-circuit of step 6);
 * minVoucherDelta (7); at most the deposit (8). A `deposit` merged into the voucher (step 2) must have been
 * processed into `channel` first. Throws the `session/*` problem of the first failed step.
 */
export async function verify(parameters: VerifyParameters): Promise<Outcome> {
  const { channel, voucher, domain } = parameters
  const extensions = { channelId: voucher.channelId }
  if (!channel || channel.channelId.toLowerCase() !== voucher.channelId.toLowerCase())
    throw new ChannelNotFoundError(`no open channel ${voucher.channelId} on this server; open one first`, { extensions })
  if (channel.finalized) throw new ChannelFinalizedError(`channel ${voucher.channelId} is closed; open a new channel`, { extensions })
  if (channel.closeRequestedAt !== 0n)
    throw new ChannelFinalizedError(`channel ${voucher.channelId} has a pending forced close (requestClose); open a new channel`, {
      extensions,
    })
  if (voucher.cumulativeAmount < 0n || voucher.cumulativeAmount > maxUint128)
    throw new MalformedSessionPayloadError('cumulativeAmount must be a uint128', { extensions })

  const signer = voucherSigner(channel)
  if (channel.signerIsContract) {
    if (hasHighS(voucher.signature)) throw new InvalidSignatureError('voucher signature has a high s value (not canonical)', { extensions })
    const check = parameters.isValidContractSignature
    const digest = hash(domain, voucher)
    if (!check)
      throw new InvalidSignatureError(`the voucher signer ${signer} is a contract wallet, which this server cannot check`, { extensions })
    if (!(await check({ signer, digest, signature: voucher.signature })))
      throw new InvalidSignatureError(`the contract wallet ${signer} does not accept this voucher signature (ERC-1271)`, { extensions })
  } else await checkEcdsaSigner(domain, voucher, signer, parameters.signerKeys)

  if (voucher.cumulativeAmount <= parameters.acceptedCumulative)
    return { status: 'replay', acceptedCumulative: parameters.acceptedCumulative }
  const delta = voucher.cumulativeAmount - parameters.acceptedCumulative
  const minVoucherDelta = parameters.minVoucherDelta ?? 0n
  if (delta < minVoucherDelta)
    throw new DeltaTooSmallError(
      `the voucher raises the accepted amount by ${delta}, below minVoucherDelta ${minVoucherDelta}; sign at least ${parameters.acceptedCumulative + minVoucherDelta}`,
      { extensions },
    )
  if (voucher.cumulativeAmount > channel.deposit)
    throw new AmountExceedsDepositError(
      `cumulativeAmount ${voucher.cumulativeAmount} exceeds the channel deposit ${channel.deposit}; top up first`,
      { extensions },
    )
  return { status: 'accepted', cumulativeAmount: voucher.cumulativeAmount, delta }
}
