// A gate for in-process tests: real core, real store (in-memory PGlite), a settable clock and a fake
// `evm`/`charge` payment method that moves no money. The fake behaves like a rail where it matters to the
// core: a credential is claimed once in the durable settlement table (a second claim is a replay), its
// payload says whether it pays, is declined, finds the network down or hits the settlement quota.
import { randomBytes } from 'node:crypto'
import { privateKeyToAccount } from 'viem/accounts'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Intent from '@/lib/protocol/Intent'
import * as Problem from '@/lib/protocol/Problem'
import { RailUnavailableError, SettlementReplayError } from '@/lib/rails/errors'
import { openDb, type DbHandle } from '@/lib/store/db'
import * as Settlements from '@/lib/store/settlements'
import type { GateConfig } from '../config'
import { createGate } from '../create-gate'
import { createMethodRegistry } from '../methods/registry'
import { SettlementQuotaExceededError } from '../settlement-quota'
import { methodKey, type Gate, type PaymentMethod, type PricedResource } from '../types'

export const fakeToken = '0x00000000000000000000000000000000000000aa'
export const merchant = privateKeyToAccount(`0x${'22'.repeat(32)}`).address

/**
 * What a fake credential's payload asks the fake method to do: pay (settle, or hold then capture), be
 * declined, find the network down, hit the quota, fail only at capture, or be accepted into the method's
 * own ledger (`accept`: serves the resource; `top-up`: serves only the receipt).
 */
export type FakePayload = {
  outcome: 'pay' | 'decline' | 'unavailable' | 'quota' | 'capture-fails' | 'accept' | 'top-up'
  key: string
}

export function fakeChargeMethod(db: DbHandle['db']): PaymentMethod & { settled: string[] } {
  const settled: string[] = []
  return {
    method: 'evm',
    intent: Intent.charge,
    currency: fakeToken,
    settled,
    request: (resource) =>
      resource.priceUsd === '0' ? null : { amount: resource.priceUsd.replace('.', ''), currency: fakeToken, recipient: resource.recipient },
    settle: async ({ payload }) => {
      const { outcome, key } = refuseOrRead(payload)
      if (outcome === 'accept' || outcome === 'top-up')
        return {
          kind: 'accepted',
          receipt: { status: 'success', method: 'evm', timestamp: '2026-12-04T12:00:00.000Z', reference: key, spent: '1' },
          serves: outcome === 'accept' ? 'resource' : 'receipt',
        }
      await claim(key)
      return capture(key)
    },
    authorize: async ({ payload }) => {
      const { outcome, key } = refuseOrRead(payload)
      await claim(key)
      return {
        capture: async () => {
          if (outcome === 'capture-fails') {
            await Settlements.markFailed(db, key, 'the payer moved the funds away')
            throw new Problem.VerificationFailedError('the fake transfer reverted at settlement')
          }
          return capture(key)
        },
        release: (reason) => Settlements.markFailed(db, key, `released: ${reason}`),
      }
    },
  }

  function refuseOrRead(payload: unknown): FakePayload {
    const read = payload as FakePayload
    if (read.outcome === 'decline') throw new Problem.VerificationFailedError('the fake signature does not verify')
    if (read.outcome === 'unavailable') throw new RailUnavailableError('the fake network is down', { retryAfterSeconds: 7 })
    if (read.outcome === 'quota') throw new SettlementQuotaExceededError('too many fake settlements; retry in 11 seconds', 11)
    return read
  }

  /** One claim per key, as a rail's durable record makes it; a released (failed) claim may be taken again. */
  async function claim(key: string): Promise<void> {
    const claimed = await Settlements.claim(db, { replayKey: key, rail: 'evm', amount: '1', details: {} })
    if (claimed.claimed) return
    if (claimed.settlement.status === 'failed' && (await Settlements.reclaimFailed(db, key))) return
    throw new SettlementReplayError(`the fake payment ${key} was already used`, key)
  }

  async function capture(key: string) {
    const reference = `0x${randomBytes(32).toString('hex')}`
    await Settlements.markSettled(db, key, reference)
    settled.push(key)
    return {
      settlementKey: key,
      method: 'evm' as const,
      reference,
      payer: merchant,
      amount: '1',
      currency: fakeToken,
      receiptFields: { chainId: 1 },
    }
  }
}

export type FakeGate = { gate: Gate; handle: DbHandle; clock: { at: Date; now(): Date }; method: ReturnType<typeof fakeChargeMethod> }

export async function fakeGate(overrides: Partial<GateConfig> = {}): Promise<FakeGate> {
  const handle = await openDb({ dataDir: 'memory://' })
  const method = fakeChargeMethod(handle.db)
  const clock = {
    at: new Date('2026-12-04T12:00:00Z'),
    now() {
      return this.at
    },
  }
  const publicUrl = new URL('https://pay.example.com')
  const config: GateConfig = {
    publicUrl,
    realm: publicUrl.host,
    secrets: [randomBytes(32).toString('base64url')],
    challengeTtlSeconds: 300,
    defaultRecipient: merchant,
    rateLimit: { challengesPerMinute: 1000, credentialsPerMinute: 1000 },
    settlementsPerMerchantPerMinute: 600,
    cardHolds: { perClient: 3, unconfirmedSeconds: 180 },
    ...overrides,
  }
  return { gate: createGate({ config, db: handle.db, methods: createMethodRegistry([method]), clock }), handle, clock, method }
}

export function resourceFor(overrides: Partial<PricedResource> = {}): PricedResource {
  return {
    key: 'route:GET /api/fortune',
    url: 'https://pay.example.com/api/fortune',
    priceUsd: '0.01',
    recipient: merchant,
    offers: [methodKey('evm', Intent.charge)],
    title: 'A fortune',
    accessPolicy: { kind: 'once' },
    ...overrides,
  }
}

/** A credential answering `challenge` with the fake payload. */
export function credentialFor(challenge: Challenge.Challenge, payload: FakePayload): Credential.Credential {
  return { challenge, payload }
}

/** A challenge for the resource as another server (another secret) or with changed fields would issue it. */
export function forgedChallenge(gate: Gate, challenge: Challenge.Challenge, changes: Partial<Challenge.Challenge>, secret?: string) {
  const fields: Partial<Challenge.Challenge> = { ...challenge, ...changes }
  delete fields.id
  return Challenge.create({ ...(fields as Omit<Challenge.Challenge, 'id'>), secret: secret ?? gate.config.secrets[0]! })
}
