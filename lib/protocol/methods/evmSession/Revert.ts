// Which `session/*` problem a reverted escrow call maps to (draft-evm-session-00, Error Responses: the
// problem type, never a raw selector, is what clients see).
import {
  AmountExceedsDepositError,
  ChannelFinalizedError,
  ChannelNotFoundError,
  InsufficientBalanceError,
  InvalidSignatureError,
  type PaymentProblem,
  TransactionRevertedError,
} from '@/lib/protocol/Problem'

const problems: Record<
  string,
  new (detail: string, options?: ConstructorParameters<typeof TransactionRevertedError>[1]) => PaymentProblem
> = {
  AmountExceedsDeposit: AmountExceedsDepositError,
  ChannelNotFound: ChannelNotFoundError,
  ChannelFinalized: ChannelFinalizedError,
  InvalidSignature: InvalidSignatureError,
  // The escrow's own name for a failed ERC-20 pull or payout.
  TransferFailed: InsufficientBalanceError,
}

/**
 * The problem for an escrow revert, by Solidity error name (viem's `ContractFunctionRevertedError.data.errorName`):
 * the spec's recommended mapping, `transaction-reverted` for everything else (NonceMismatch, AmountNotIncreasing,
 * ChannelAlreadyExists, token reverts, unknown selectors).
 */
export function problemFor(errorName: string | undefined, parameters: { channelId?: string; detail?: string } = {}): PaymentProblem {
  const Problem =
    (errorName !== undefined && Object.hasOwn(problems, errorName) ? problems[errorName] : undefined) ?? TransactionRevertedError
  const detail = parameters.detail ?? `the escrow transaction reverted${errorName ? ` (${errorName})` : ''}`
  return new Problem(detail, parameters.channelId ? { extensions: { channelId: parameters.channelId } } : undefined)
}
