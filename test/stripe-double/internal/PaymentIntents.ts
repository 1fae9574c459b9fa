// PaymentIntents: create, retrieve, confirm, cancel, and the 3-D Secure step Stripe.js would run.
// Status machine: requires_payment_method -> requires_confirmation -> (requires_action ->) succeeded,
// a decline goes back to requires_payment_method with `last_payment_error`.
import type Stripe from 'stripe'
import * as Account from './Account'
import * as ApiError from './ApiError'
import type { FormObject } from './Form'
import * as Ids from './Ids'
import * as Params from './Params'
import * as PaymentMethods from './PaymentMethods'
import * as SharedTokens from './SharedTokens'
import { declineFor, type Card } from './TestCards'

export type Caller = { kind: 'secret' | 'publishable' }
export type Context = Account.RequestContext & { baseUrl: string; apiVersion: string }

// From Endive (2026-09-30) on, `payment_method_types` is read-only; `allowed_payment_method_types` replaces it.
const paymentMethodTypesRemovedIn = '2026-09-30'

// Stripe's minimum charge per currency, in the smallest unit (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
const minimumAmount: Readonly<Record<string, number>> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, jpy: 50 }

const createParameters = [
  'amount',
  'currency',
  'metadata',
  'description',
  'payment_method_types',
  'allowed_payment_method_types',
  'automatic_payment_methods',
  'payment_method',
  'payment_method_data',
  'confirm',
  'shared_payment_granted_token',
  'return_url',
  'error_on_requires_action',
  'receipt_email',
  'statement_descriptor_suffix',
  'capture_method',
  'expand',
  'use_stripe_sdk',
] as const

const confirmParameters = [
  'payment_method',
  'payment_method_data',
  'shared_payment_granted_token',
  'return_url',
  'error_on_requires_action',
  'receipt_email',
  'expand',
  'use_stripe_sdk',
  'client_secret',
] as const

type Internal = Stripe.PaymentIntent & { client_secret: string }

export function create(account: Account.Account, params: FormObject, context: Context): Stripe.PaymentIntent {
  Params.rejectUnknown(params, createParameters)
  const amount = Params.requiredInteger(params, 'amount')
  const currency = Params.requiredString(params, 'currency').toLowerCase()
  if (!/^[a-z]{3}$/.test(currency)) throw ApiError.invalidRequest(`Invalid currency: ${currency}`, { param: 'currency' })
  const minimum = minimumAmount[currency] ?? 50
  if (amount < minimum) {
    throw ApiError.invalidRequest(`Amount must be at least ${formatMinimum(minimum, currency)}`, {
      code: 'amount_too_small',
      param: 'amount',
    })
  }
  if (amount > 99_999_999)
    throw ApiError.invalidRequest('Amount must be no more than $999,999.99', { code: 'amount_too_large', param: 'amount' })
  const captureMethod = Params.optionalString(params, 'capture_method')
  if (captureMethod !== undefined && captureMethod !== 'automatic' && captureMethod !== 'automatic_async') {
    throw ApiError.invalidRequest('The Stripe double supports automatic capture only.', { param: 'capture_method' })
  }
  const explicitTypes = Params.optionalStringArray(params, 'payment_method_types')
  if (explicitTypes && context.apiVersion.slice(0, 10) >= paymentMethodTypesRemovedIn) {
    throw ApiError.invalidRequest(
      'The payment_method_types parameter is no longer supported on this API version. Use allowed_payment_method_types or dynamic payment methods instead.',
      { code: 'payment_method_types_no_longer_supported', param: 'payment_method_types' },
    )
  }
  const allowedTypes = Params.optionalStringArray(params, 'allowed_payment_method_types')
  const automatic = Params.optionalObject(params, 'automatic_payment_methods')
  const exclusive = [
    explicitTypes && 'payment_method_types',
    allowedTypes && 'allowed_payment_method_types',
    automatic && 'automatic_payment_methods',
  ].filter(Boolean)
  if (exclusive.length > 1) {
    throw ApiError.invalidRequest(`You may only specify one of these parameters: ${exclusive.join(', ')}.`, {
      code: 'parameters_exclusive',
      param: String(exclusive[1]),
    })
  }
  const methodTypes = explicitTypes ?? allowedTypes
  const confirm = Params.optionalBoolean(params, 'confirm') ?? false
  if (!confirm) {
    for (const name of ['return_url', 'error_on_requires_action', 'shared_payment_granted_token'] as const) {
      if (params[name] !== undefined)
        throw ApiError.invalidRequest(`You may only specify ${name} when confirming the PaymentIntent (confirm=true).`, { param: name })
    }
  }

  const id = Ids.create('pi')
  const intent = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    allowed_payment_method_types: allowedTypes ?? null,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: methodTypes
      ? null
      : { enabled: true, allow_redirects: Params.optionalString(automatic ?? {}, 'allow_redirects') ?? 'always' },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: captureMethod ?? 'automatic_async',
    client_secret: `${id}_secret_${Ids.create('s', 25).slice(2)}`,
    confirmation_method: 'automatic',
    created: Ids.now(),
    currency,
    customer: null,
    description: Params.optionalString(params, 'description') ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: Params.metadata(params) ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: methodTypes ?? ['card'],
    processing: null,
    receipt_email: Params.optionalString(params, 'receipt_email') ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: Params.optionalString(params, 'statement_descriptor_suffix') ?? null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  } as unknown as Internal
  // A payment method given at creation is validated before anything is stored, like Stripe does.
  const attached = attachPaymentMethod(account, intent, params)
  account.intents.set(id, intent)
  Account.emit(account, 'payment_intent.created', intent, context)
  if (confirm) {
    if (!attached) throw missingPaymentMethod(intent)
    return runConfirmation(account, intent, params, context)
  }
  return intent
}

export function retrieve(account: Account.Account, id: string, params: FormObject, caller: Caller): Stripe.PaymentIntent {
  const intent = find(account, id, params, caller)
  return view(intent, caller)
}

export function confirm(account: Account.Account, id: string, params: FormObject, caller: Caller, context: Context): Stripe.PaymentIntent {
  const intent = find(account, id, params, caller)
  // Stripe.js sends many client-only parameters; only server calls are held to the exact list.
  if (caller.kind === 'secret') Params.rejectUnknown(params, confirmParameters)
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(intent.status)) {
    throw unexpectedState(intent, 'confirm')
  }
  attachPaymentMethod(account, intent, params)
  if (!intent.payment_method) throw missingPaymentMethod(intent)
  return view(runConfirmation(account, intent, params, context), caller)
}

/** The double's stand-in for the 3-D Secure challenge page: the payer completes or fails it. */
export function authenticate(
  account: Account.Account,
  id: string,
  params: FormObject,
  caller: Caller,
  context: Context,
): Stripe.PaymentIntent {
  const intent = find(account, id, params, caller)
  const outcome = Params.optionalString(params, 'outcome') ?? 'complete'
  if (outcome !== 'complete' && outcome !== 'fail') throw ApiError.invalidRequest('outcome must be complete or fail', { param: 'outcome' })
  if (intent.status !== 'requires_action') throw unexpectedState(intent, 'authenticate')
  const card = account.intentCards.get(intent.id)
  if (outcome === 'complete' && card) return view(succeed(account, intent, card, context), caller)
  const paymentMethod = intent.payment_method
  account.intentCards.delete(intent.id)
  Object.assign(intent, {
    status: 'requires_payment_method',
    next_action: null,
    payment_method: null,
    last_payment_error: {
      type: 'invalid_request_error',
      code: 'payment_intent_authentication_failure',
      doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
      message:
        'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      payment_method: paymentMethod ? (account.paymentMethods.get(String(paymentMethod))?.object ?? null) : null,
    },
  })
  Account.emit(account, 'payment_intent.payment_failed', intent, context)
  return view(intent, caller)
}

export function cancel(account: Account.Account, id: string, params: FormObject, context: Context): Stripe.PaymentIntent {
  const intent = find(account, id, params, { kind: 'secret' })
  Params.rejectUnknown(params, ['cancellation_reason', 'expand'])
  if (intent.status === 'succeeded' || intent.status === 'canceled') throw unexpectedState(intent, 'cancel')
  Object.assign(intent, {
    status: 'canceled',
    canceled_at: Ids.now(),
    cancellation_reason: Params.optionalString(params, 'cancellation_reason') ?? null,
    next_action: null,
  })
  Account.emit(account, 'payment_intent.canceled', intent, context)
  return intent
}

/** What a publishable key may see: Stripe hides metadata and account-side fields from browsers. */
export function view(intent: Stripe.PaymentIntent, caller: Caller): Stripe.PaymentIntent {
  if (caller.kind === 'secret') return intent
  const visible = [
    'id',
    'object',
    'amount',
    'amount_details',
    'automatic_payment_methods',
    'canceled_at',
    'cancellation_reason',
    'capture_method',
    'client_secret',
    'confirmation_method',
    'created',
    'currency',
    'description',
    'last_payment_error',
    'livemode',
    'next_action',
    'payment_method',
    'payment_method_types',
    'processing',
    'receipt_email',
    'setup_future_usage',
    'shipping',
    'source',
    'status',
  ]
  return Object.fromEntries(Object.entries(intent).filter(([key]) => visible.includes(key))) as unknown as Stripe.PaymentIntent
}

function find(account: Account.Account, id: string, params: FormObject, caller: Caller): Internal {
  const intent = account.intents.get(id) as Internal | undefined
  if (caller.kind === 'publishable') {
    // A browser proves it may touch the intent with its client secret; a wrong one looks like a missing intent.
    const secret = Params.optionalString(params, 'client_secret')
    if (!secret) throw ApiError.missingParameter('client_secret')
    if (!intent || intent.client_secret !== secret) {
      throw ApiError.invalidRequest(`No such payment_intent: '${id}'`, { code: 'resource_missing', param: 'intent', status: 404 })
    }
    return intent
  }
  if (!intent) throw ApiError.resourceMissing('payment_intent', id, 'intent')
  return intent
}

// Returns whether the request carried a payment method; sets intent.payment_method when it did.
function attachPaymentMethod(account: Account.Account, intent: Internal, params: FormObject): boolean {
  const data = Params.optionalObject(params, 'payment_method_data')
  const tokenParam =
    params.shared_payment_granted_token !== undefined
      ? 'shared_payment_granted_token'
      : data?.shared_payment_granted_token !== undefined
        ? 'payment_method_data[shared_payment_granted_token]'
        : undefined
  const sources = [params.payment_method !== undefined, data !== undefined && tokenParam === undefined, tokenParam !== undefined].filter(
    Boolean,
  ).length
  if (sources > 1) {
    throw ApiError.invalidRequest(
      'You may only specify one of these parameters: payment_method, payment_method_data, shared_payment_granted_token.',
      { param: 'payment_method' },
    )
  }
  let method: { object: Stripe.PaymentMethod; card: Card } | undefined
  if (tokenParam) {
    const tokenId =
      tokenParam === 'shared_payment_granted_token'
        ? Params.requiredString(params, tokenParam)
        : Params.requiredString(data ?? {}, 'shared_payment_granted_token')
    const token = SharedTokens.assertUsable(account, tokenId, intent.amount, intent.currency, intent.id, tokenParam)
    method = { object: PaymentMethods.store(account, token.card), card: token.card }
    // Spent only once the attempt does not decline (a declined card leaves the token usable).
    account.intentTokens.set(intent.id, token.id)
  } else if (params.payment_method !== undefined) {
    method = PaymentMethods.fromId(account, Params.requiredString(params, 'payment_method'))
  } else if (data) {
    method = PaymentMethods.fromData(account, data, 'payment_method_data')
  }
  if (!method) return false
  if (intent.status === 'requires_action') {
    // A new payment method abandons the pending authentication.
    intent.next_action = null
  }
  intent.payment_method = method.object.id
  intent.status = 'requires_confirmation'
  intent.last_payment_error = null
  account.intentCards.set(intent.id, method.card)
  return true
}

function runConfirmation(account: Account.Account, intent: Internal, params: FormObject, context: Context): Internal {
  const card = account.intentCards.get(intent.id)
  if (!card) throw missingPaymentMethod(intent)
  const tokenId = account.intentTokens.get(intent.id)
  account.intentTokens.delete(intent.id)
  const spendToken = () => {
    const token = tokenId ? account.sharedTokens.get(tokenId) : undefined
    if (token) token.usedBy = intent.id
  }
  if (card.outcome === 'succeeds') {
    spendToken()
    return succeed(account, intent, card, context)
  }
  if (card.outcome === 'authentication_required') {
    if (Params.optionalBoolean(params, 'error_on_requires_action')) {
      return decline(
        account,
        intent,
        {
          code: 'authentication_required',
          declineCode: 'authentication_required',
          message: 'Your card was declined. This transaction requires authentication.',
        },
        context,
      )
    }
    spendToken()
    const returnUrl = Params.optionalString(params, 'return_url')
    const challengeUrl = `${context.baseUrl}/_double/3ds/${intent.id}`
    intent.status = 'requires_action'
    intent.next_action = (
      returnUrl
        ? {
            type: 'redirect_to_url',
            redirect_to_url: {
              url: `${challengeUrl}?client_secret=${encodeURIComponent(intent.client_secret)}&return_url=${encodeURIComponent(returnUrl)}`,
              return_url: returnUrl,
            },
          }
        : {
            type: 'use_stripe_sdk',
            use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: challengeUrl, source: Ids.create('src') },
          }
    ) as Stripe.PaymentIntent.NextAction
    Account.emit(account, 'payment_intent.requires_action', intent, context)
    return intent
  }
  return decline(account, intent, declineFor(card.outcome), context)
}

function succeed(account: Account.Account, intent: Internal, card: Card, context: Context): Internal {
  const charge = {
    id: Ids.create('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: intent.amount,
    amount_refunded: 0,
    balance_transaction: Ids.create('txn'),
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    captured: true,
    created: Ids.now(),
    currency: intent.currency,
    customer: null,
    description: intent.description,
    disputed: false,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: { ...intent.metadata },
    outcome: {
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: intent.id,
    payment_method: intent.payment_method,
    payment_method_details: { type: 'card', card: { brand: card.brand, last4: card.last4, country: 'US', funding: 'credit' } },
    receipt_url: null,
    refunded: false,
    status: 'succeeded',
  } as unknown as Stripe.Charge
  account.charges.set(charge.id, charge)
  Object.assign(intent, {
    status: 'succeeded',
    amount_received: intent.amount,
    latest_charge: charge.id,
    next_action: null,
    last_payment_error: null,
  })
  Account.emit(account, 'charge.succeeded', charge, context)
  Account.emit(account, 'payment_intent.succeeded', intent, context)
  return intent
}

function decline(
  account: Account.Account,
  intent: Internal,
  reason: { code: string; declineCode: string; message: string },
  context: Context,
): never {
  const paymentMethod = intent.payment_method ? (account.paymentMethods.get(String(intent.payment_method))?.object ?? null) : null
  Object.assign(intent, {
    status: 'requires_payment_method',
    payment_method: null,
    next_action: null,
    last_payment_error: {
      type: 'card_error',
      code: reason.code,
      decline_code: reason.declineCode,
      doc_url: `https://stripe.com/docs/error-codes/${reason.code.replace(/_/g, '-')}`,
      message: reason.message,
      payment_method: paymentMethod,
    },
  })
  account.intentCards.delete(intent.id)
  Account.emit(account, 'payment_intent.payment_failed', intent, context)
  throw ApiError.cardError(reason.code, reason.declineCode, reason.message, {
    payment_intent: structuredClone(intent),
    payment_method: paymentMethod,
  })
}

function missingPaymentMethod(intent: Stripe.PaymentIntent): ApiError.ApiError {
  return ApiError.invalidRequest(
    `You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with ${intent.id}, specify a payment method attached to this customer along with the customer ID.`,
    { code: 'payment_intent_unexpected_state' },
  )
}

function unexpectedState(intent: Stripe.PaymentIntent, action: string): ApiError.ApiError {
  return ApiError.invalidRequest(`You cannot ${action} this PaymentIntent because it has a status of ${intent.status}.`, {
    code: 'payment_intent_unexpected_state',
  })
}

function formatMinimum(minimum: number, currency: string): string {
  const symbol = currency === 'usd' ? '$' : ''
  return `${symbol}${(minimum / 100).toFixed(2)} ${currency}`
}
