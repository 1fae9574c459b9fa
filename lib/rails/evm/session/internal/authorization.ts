// The EIP-3009 receiveWithAuthorization a payer signs for a relayed open or top-up (feePayer: true),
// checked before the server spends gas on it (Open/TopUp Verification step 1). The channel-parameter
// nonce, `to` and validity window were checked against the challenge by Payload.check already.
import { type Address, type Hex, isAddressEqual } from 'viem'
import * as Evm from '@/lib/protocol/methods/evm'
import { InsufficientBalanceError, PaymentExpiredError, VerificationFailedError } from '@/lib/protocol/Problem'
import { minRemainingValiditySeconds } from '../../internal/authorization'
import { isTransportFailure, unavailable } from '../../internal/rpc'
import { isoTime } from '../../internal/time'
import type { SessionContext } from './context'
import { tokenBalance } from './escrow'

export async function checkAuthorization(
  context: SessionContext,
  input: { authorization: Evm.Authorization; signature: Hex; channelId: Hex; what: string },
): Promise<void> {
  const { authorization, channelId, what } = input
  const extensions = { channelId }
  const value = BigInt(authorization.value)
  if (isAddressEqual(authorization.from, context.payee))
    throw new VerificationFailedError(
      `${what}: the payer ${authorization.from} is this server's own payee account; nothing was submitted`,
      {
        extensions,
      },
    )
  // Gas griefing (Security Considerations, Denial of Service): relaying a tiny deposit costs more than it holds.
  if (value < context.minDeposit)
    throw new VerificationFailedError(
      `${what}: a deposit of ${value} base units is below ${context.minDeposit}, the smallest this server submits and pays gas for; deposit more or use a "hash" credential`,
      { extensions },
    )
  const validBefore = BigInt(authorization.validBefore)
  if (validBefore <= context.rail.now() + minRemainingValiditySeconds)
    throw new PaymentExpiredError(
      `${what}: the authorization expires at ${isoTime(validBefore)}, too soon to be mined (at least ${minRemainingValiditySeconds} s needed)`,
      { extensions },
    )
  let valid: boolean
  try {
    // EOAs, ERC-1271 wallets and ERC-6492 counterfactual wallets alike.
    valid = await context.rail.publicClient.verifyTypedData({
      ...Evm.receiveWithAuthorizationTypedData(context.tokenDomain, authorization),
      address: authorization.from,
      signature: input.signature,
    })
  } catch (error) {
    if (isTransportFailure(error)) throw unavailable('verifying the authorization signature', error)
    valid = false
  }
  if (!valid)
    throw new VerificationFailedError(
      `${what}: the receiveWithAuthorization signature is not ${authorization.from}'s for these terms (token ${context.tokenDomain.name} v${context.tokenDomain.version} at ${context.token} on chain ${context.chainId})`,
      { extensions },
    )
}

/** A relayed open or top-up that would revert because the payer lacks the tokens is `insufficient-balance`. */
export async function depositShortfall(context: SessionContext, from: Address, value: bigint, channelId: Hex) {
  const balance = await tokenBalance(context, from)
  if (balance >= value) return undefined
  return new InsufficientBalanceError(
    `the payer ${from} holds ${balance} base units of ${context.token}, less than the deposit of ${value}`,
    {
      extensions: { channelId },
    },
  )
}
