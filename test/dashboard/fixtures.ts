// Store-level fixtures for the dashboard suites: merchants, links and payments written directly.
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import * as Links from '@/lib/links'
import * as Merchants from '@/lib/merchants'
import type { Db } from '@/lib/store/db'
import * as Payments from '@/lib/store/payments'
import { payments } from '@/lib/store/schema'

export async function makeMerchant(db: Db): Promise<Merchants.Merchant> {
  return Merchants.ensureMerchant(db, privateKeyToAccount(generatePrivateKey()).address)
}

export async function makeLink(db: Db, merchantId: string, overrides: Record<string, unknown> = {}): Promise<Links.Link> {
  return Links.createLink(db, merchantId, {
    title: 'Test link',
    price: '0.5',
    rails: ['evm', 'stripe'],
    resource: { kind: 'inline', contentType: 'text/plain', body: 'paid' },
    ...overrides,
  })
}

export async function makePayment(
  db: Db,
  link: Links.Link,
  overrides: Partial<Omit<Payments.NewPayment, 'status'>> & { createdAt?: Date; status?: 'succeeded' | 'refunded' } = {},
): Promise<Payments.Payment> {
  const { createdAt, status, ...rest } = overrides
  const method = rest.method ?? 'evm'
  const { payment } = await Payments.recordOnce(db, {
    settlementKey: `test:${randomBytes(12).toString('hex')}`,
    linkId: link.id,
    merchantId: link.merchantId,
    resourceKey: `link:${link.id}`,
    protocol: 'mpp',
    method,
    amount: '500000',
    currency: method === 'evm' ? '0x0000000000000000000000000000000000000001' : 'usd',
    amountUsd: link.priceUsd,
    payer: method === 'evm' ? privateKeyToAccount(generatePrivateKey()).address : null,
    reference: method === 'evm' ? `0x${randomBytes(32).toString('hex')}` : `pi_${randomBytes(12).toString('hex')}`,
    challengeId: randomBytes(16).toString('base64url'),
    receipt: { status: 'success' },
    ...rest,
  })
  if (createdAt || status === 'refunded') {
    const set: Record<string, unknown> = {}
    if (createdAt) set.createdAt = createdAt
    if (status === 'refunded') Object.assign(set, { status: 'refunded', refundedAt: new Date() })
    const rows = await db.update(payments).set(set).where(eq(payments.id, payment.id)).returning()
    return rows[0]!
  }
  return payment
}
