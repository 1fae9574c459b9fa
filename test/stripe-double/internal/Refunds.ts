// Refunds of a succeeded PaymentIntent's charge: full by default, partial with `amount`, never beyond the charge.
import type Stripe from 'stripe'
import * as Account from './Account'
import * as ApiError from './ApiError'
import type { FormObject } from './Form'
import * as Ids from './Ids'
import * as Params from './Params'

export function create(account: Account.Account, params: FormObject, context: Account.RequestContext): Stripe.Refund {
  Params.rejectUnknown(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand'])
  const charge = chargeToRefund(account, params)
  const remaining = charge.amount - charge.amount_refunded
  if (remaining <= 0) {
    throw ApiError.invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' })
  }
  const amount = Params.optionalInteger(params, 'amount') ?? remaining
  if (amount <= 0) throw ApiError.invalidRequest('Invalid positive integer', { param: 'amount', code: 'parameter_invalid_integer' })
  if (amount > remaining) {
    throw ApiError.invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, {
      code: 'amount_too_large',
      param: 'amount',
    })
  }
  const reason = Params.optionalString(params, 'reason')
  if (reason !== undefined && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)) {
    throw ApiError.invalidRequest(`Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer`, { param: 'reason' })
  }
  const refund = {
    id: Ids.create('re'),
    object: 'refund',
    amount,
    balance_transaction: Ids.create('txn'),
    charge: charge.id,
    created: Ids.now(),
    currency: charge.currency,
    destination_details: { type: 'card', card: { type: 'refund', reference_status: 'pending' } },
    metadata: Params.metadata(params) ?? {},
    payment_intent: charge.payment_intent,
    reason: reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  } as unknown as Stripe.Refund
  account.refunds.set(refund.id, refund)
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded }
  Object.assign(charge, { amount_refunded: charge.amount_refunded + amount, refunded: charge.amount_refunded + amount === charge.amount })
  Account.emit(account, 'refund.created', refund, context)
  Account.emit(account, 'charge.refunded', charge, context, previous)
  return refund
}

export function retrieve(account: Account.Account, id: string): Stripe.Refund {
  const refund = account.refunds.get(id)
  if (!refund) throw ApiError.resourceMissing('refund', id, 'refund')
  return refund
}

/** GET /v1/refunds?payment_intent=…|charge=…, newest first, like Stripe's list endpoints. */
export function list(account: Account.Account, params: FormObject): Stripe.ApiList<Stripe.Refund> {
  Params.rejectUnknown(params, ['payment_intent', 'charge', 'limit', 'starting_after', 'ending_before', 'created', 'expand'])
  const paymentIntent = Params.optionalString(params, 'payment_intent')
  const charge = Params.optionalString(params, 'charge')
  const limit = Params.optionalInteger(params, 'limit') ?? 10
  const matching = [...account.refunds.values()]
    .filter((refund) => (!paymentIntent || refund.payment_intent === paymentIntent) && (!charge || refund.charge === charge))
    .reverse()
  return { object: 'list', data: matching.slice(0, limit), has_more: matching.length > limit, url: '/v1/refunds' }
}

export function retrieveCharge(account: Account.Account, id: string): Stripe.Charge {
  const charge = account.charges.get(id)
  if (!charge) throw ApiError.resourceMissing('charge', id, 'charge')
  return charge
}

function chargeToRefund(account: Account.Account, params: FormObject): Stripe.Charge {
  const paymentIntentId = Params.optionalString(params, 'payment_intent')
  const chargeId = Params.optionalString(params, 'charge')
  if (paymentIntentId && chargeId)
    throw ApiError.invalidRequest('You may only specify one of these parameters: charge, payment_intent.', { param: 'charge' })
  if (chargeId) {
    const charge = account.charges.get(chargeId)
    if (!charge) throw ApiError.resourceMissing('charge', chargeId, 'charge', 400)
    return charge
  }
  if (!paymentIntentId)
    throw ApiError.invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', {
      code: 'parameter_missing',
    })
  const intent = account.intents.get(paymentIntentId)
  if (!intent) throw ApiError.resourceMissing('payment_intent', paymentIntentId, 'payment_intent', 400)
  const latest = intent.latest_charge ? account.charges.get(String(intent.latest_charge)) : undefined
  if (intent.status !== 'succeeded' || !latest) {
    throw ApiError.invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, {
      param: 'payment_intent',
    })
  }
  return latest
}
