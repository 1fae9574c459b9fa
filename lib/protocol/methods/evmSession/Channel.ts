// Channel identity (draft-evm-session-00, Channel State): the channelId every party derives from the
// same inputs, the signer a channel's vouchers must come from, and the EIP-3009 nonces that bind a
// relayed open or topUp to its channel parameters (Front-Running Protection).
import { encodeAbiParameters, getAddress, keccak256, zeroAddress, type Address, type Hex } from 'viem'

export type IdParameters = {
  /** The depositor: `msg.sender` of `open`, or `from` of `openWithAuthorization`. */
  payer: Address
  payee: Address
  token: Address
  salt: Hex
  /** Delegated voucher signer; omitted or the zero address means the payer signs. */
  authorizedSigner?: Address
  escrow: Address
  chainId: number | bigint
}

/** keccak256(abi.encode(payer, payee, token, salt, authorizedSigner, escrow, chainId)), lowercase hex. */
export function computeId(parameters: IdParameters): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'address' },
        { type: 'address' },
        { type: 'address' },
        { type: 'bytes32' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint256' },
      ],
      [
        address(parameters.payer),
        address(parameters.payee),
        address(parameters.token),
        parameters.salt,
        address(parameters.authorizedSigner ?? zeroAddress),
        address(parameters.escrow),
        BigInt(parameters.chainId),
      ],
    ),
  )
}

/** Who must sign a channel's vouchers: the authorized signer when set, else the payer. */
export function voucherSigner(channel: { payer: Address; authorizedSigner?: Address }): Address {
  const delegate = channel.authorizedSigner
  return address(delegate && delegate.toLowerCase() !== zeroAddress ? delegate : channel.payer)
}

export type OpenNonceParameters = {
  from: Address
  payee: Address
  token: Address
  salt: Hex
  authorizedSigner?: Address
}

/** The EIP-3009 nonce of `openWithAuthorization`: keccak256(abi.encode(from, payee, token, salt, authorizedSigner)). */
export function openNonce(parameters: OpenNonceParameters): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'bytes32' }, { type: 'address' }],
      [
        address(parameters.from),
        address(parameters.payee),
        address(parameters.token),
        parameters.salt,
        address(parameters.authorizedSigner ?? zeroAddress),
      ],
    ),
  )
}

export type TopUpNonceParameters = {
  channelId: Hex
  additionalDeposit: bigint
  from: Address
  topUpSalt: Hex
}

/** The EIP-3009 nonce of `topUpWithAuthorization`: keccak256(abi.encode(channelId, additionalDeposit, from, topUpSalt)). */
export function topUpNonce(parameters: TopUpNonceParameters): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint128' }, { type: 'address' }, { type: 'bytes32' }],
      [parameters.channelId, parameters.additionalDeposit, address(parameters.from), parameters.topUpSalt],
    ),
  )
}

// viem's encoder refuses a mixed-case address with a bad checksum; the spec compares addresses by value.
function address(value: Address): Address {
  return getAddress(value.toLowerCase())
}
