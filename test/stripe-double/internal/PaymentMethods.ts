// Card PaymentMethods: from `pm_card_*` test ids, from typed card numbers (Stripe.js), or stored `pm_…`.
import type Stripe from 'stripe'
import type { Account } from './Account'
import * as ApiError from './ApiError'
import type { FormObject } from './Form'
import * as Ids from './Ids'
import * as Params from './Params'
import { testCardNumbers, testPaymentMethods, type Card } from './TestCards'

export function store(account: Account, card: Card): Stripe.PaymentMethod {
  const object = {
    id: Ids.create('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      funding: 'credit',
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: Ids.now(),
    customer: null,
    livemode: false,
    metadata: {},
    type: 'card',
  } as unknown as Stripe.PaymentMethod
  account.paymentMethods.set(object.id, { object, card })
  return object
}

/** `payment_method=pm_…`: a test id makes a fresh PaymentMethod, a stored id is reused. */
export function fromId(account: Account, id: string): { object: Stripe.PaymentMethod; card: Card } {
  const preset = testPaymentMethods[id]
  if (preset) return { object: store(account, preset), card: preset }
  const stored = account.paymentMethods.get(id)
  if (!stored) throw ApiError.resourceMissing('PaymentMethod', id, 'payment_method', 400)
  return stored
}

/** `payment_method_data[type]=card&payment_method_data[card][number]=…`, the way Stripe.js sends typed cards. */
export function fromData(account: Account, data: FormObject, param: string): { object: Stripe.PaymentMethod; card: Card } {
  const type = Params.optionalString(data, 'type')
  if (type !== 'card') throw ApiError.invalidRequest(`Invalid ${param}[type]: only card is supported`, { param: `${param}[type]` })
  const details = Params.optionalObject(data, 'card')
  if (!details) throw ApiError.missingParameter(`${param}[card]`)
  const token = Params.optionalString(details, 'token')
  if (token) return fromId(account, token)
  const number = Params.requiredString(details, 'number').replace(/\s+/g, '')
  const card = testCardNumbers[number]
  if (!card) {
    throw ApiError.cardError('incorrect_number', undefined, 'Your card number is incorrect.', {})
  }
  return { object: store(account, card), card }
}

/** POST /v1/payment_methods */
export function create(account: Account, params: FormObject): Stripe.PaymentMethod {
  Params.rejectUnknown(params, ['type', 'card', 'billing_details', 'metadata', 'expand', 'allow_redisplay'])
  return fromData(account, params, 'payment_method').object
}
