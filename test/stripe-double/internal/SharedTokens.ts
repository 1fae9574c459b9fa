// Shared Payment Tokens granted to the account: single use, bounded by their usage limits.
import type { Account, SharedToken } from './Account'
import * as ApiError from './ApiError'
import type { FormObject } from './Form'
import * as Ids from './Ids'
import * as Params from './Params'
import { cardForSharedPaymentToken, testPaymentMethods } from './TestCards'

export function find(account: Account, id: string): SharedToken | undefined {
  const stored = account.sharedTokens.get(id)
  if (stored) return stored
  const card = cardForSharedPaymentToken(id)
  if (!card) return undefined
  const token: SharedToken = { id, card }
  account.sharedTokens.set(id, token)
  return token
}

/** Checks a token can pay `amount` `currency` for `paymentIntentId`; throws Stripe-like errors. */
export function assertUsable(
  account: Account,
  id: string,
  amount: number,
  currency: string,
  paymentIntentId: string,
  param: string,
): SharedToken {
  const token = find(account, id)
  if (!token) throw ApiError.resourceMissing('shared_payment_granted_token', id, param, 400)
  if (token.revoked)
    throw ApiError.invalidRequest('This SharedPaymentGrantedToken has been revoked.', {
      code: 'shared_payment_granted_token_revoked',
      param,
    })
  if (token.usedBy && token.usedBy !== paymentIntentId) {
    throw ApiError.invalidRequest('This SharedPaymentGrantedToken has already been used.', {
      code: 'shared_payment_granted_token_used',
      param,
    })
  }
  const limits = token.usageLimits
  if (limits) {
    if (limits.expiresAt <= Ids.now())
      throw ApiError.invalidRequest('This SharedPaymentGrantedToken has expired.', { code: 'shared_payment_granted_token_expired', param })
    if (limits.currency !== currency) {
      throw ApiError.invalidRequest(
        `The currency ${currency} does not match the SharedPaymentGrantedToken usage limit (${limits.currency}).`,
        { code: 'shared_payment_granted_token_usage_limit_exceeded', param },
      )
    }
    if (amount > limits.maxAmount) {
      throw ApiError.invalidRequest(`The amount ${amount} exceeds the SharedPaymentGrantedToken usage limit (${limits.maxAmount}).`, {
        code: 'shared_payment_granted_token_usage_limit_exceeded',
        param,
      })
    }
  }
  return token
}

/** POST /v1/test_helpers/shared_payment/granted_tokens: what an agent sharing a card would produce. */
export function createForTest(account: Account, params: FormObject): Record<string, unknown> {
  Params.rejectUnknown(params, ['payment_method', 'usage_limits', 'seller_details', 'customer', 'metadata', 'expand'])
  const paymentMethod = Params.requiredString(params, 'payment_method')
  const card = testPaymentMethods[paymentMethod] ?? account.paymentMethods.get(paymentMethod)?.card
  if (!card) throw ApiError.resourceMissing('PaymentMethod', paymentMethod, 'payment_method', 400)
  const limits = Params.optionalObject(params, 'usage_limits')
  if (!limits) throw ApiError.missingParameter('usage_limits')
  const token: SharedToken = {
    id: Ids.create('spt'),
    card,
    usageLimits: {
      currency: Params.requiredString(limits, 'currency').toLowerCase(),
      maxAmount: Params.requiredInteger(limits, 'max_amount'),
      expiresAt: Params.requiredInteger(limits, 'expires_at'),
    },
  }
  account.sharedTokens.set(token.id, token)
  return view(token)
}

export function view(token: SharedToken): Record<string, unknown> {
  return {
    id: token.id,
    object: 'shared_payment.granted_token',
    created: Ids.now(),
    deactivated_at: token.revoked ? Ids.now() : null,
    deactivated_reason: token.revoked ? 'revoked' : token.usedBy ? 'consumed' : null,
    livemode: false,
    usage_details: { amount_captured: null },
    usage_limits: token.usageLimits
      ? { currency: token.usageLimits.currency, expires_at: token.usageLimits.expiresAt, max_amount: token.usageLimits.maxAmount }
      : null,
  }
}
