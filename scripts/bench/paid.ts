// Benchmark 2: a paid request end to end with the mppx client (402, sign EIP-3009, retry, server
// verifies and settles on anvil, 200 + receipt). Sequential requests alternate between targets;
// then each target gets a concurrent batch from several payers.
import { Mppx, evm } from 'mppx/client'
import type { Account } from 'viem'
import { median, percentile } from './stats'

export type PaidTarget = { name: string; url: string }

export type Phase = { count: number; failures: number; p50Ms: number; p99Ms: number; perSecond: number }

export type PaidSummary = { name: string; sequential: Phase; concurrent: Phase & { payers: number }; firstFailure: string | null }

export type PaidOptions = {
  sequential: number
  /** Payer for the sequential run of each target, by target position. */
  sequentialPayers: Account[]
  concurrentPayers: Account[]
  perPayer: number
}

function payer(account: Account) {
  return Mppx.create({
    methods: [evm({ account, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })],
    polyfill: false,
    maxPaymentRetries: 1,
  })
}

type Outcome = { ms: number; ok: boolean; failure?: string }

async function payOnce(client: ReturnType<typeof payer>, url: string): Promise<Outcome> {
  const started = performance.now()
  try {
    const response = await client.fetch(url)
    const body = await response.text()
    const ms = performance.now() - started
    if (response.status !== 200 || !response.headers.get('payment-receipt'))
      return { ms, ok: false, failure: `${response.status} ${body.slice(0, 160)}` }
    return { ms, ok: true }
  } catch (error) {
    return {
      ms: performance.now() - started,
      ok: false,
      failure: error instanceof Error ? `${error.name}: ${error.message.slice(0, 160)}` : String(error),
    }
  }
}

function summarize(outcomes: Outcome[], wallMs: number): Phase {
  const ok = outcomes.filter((o) => o.ok).map((o) => o.ms)
  return {
    count: ok.length,
    failures: outcomes.length - ok.length,
    p50Ms: median(ok),
    p99Ms: percentile(ok, 99),
    perSecond: ok.length / (wallMs / 1000),
  }
}

export async function measure(targets: PaidTarget[], options: PaidOptions): Promise<PaidSummary[]> {
  const sequential = targets.map(() => [] as Outcome[])
  const clients = targets.map((_, i) => payer(options.sequentialPayers[i % options.sequentialPayers.length]!))
  // Alternate targets request by request so drift in machine load affects both equally.
  for (let n = 0; n < options.sequential; n++) {
    for (const [i, target] of targets.entries()) sequential[i]!.push(await payOnce(clients[i]!, target.url))
  }

  const concurrent: Array<{ outcomes: Outcome[]; wallMs: number }> = []
  for (const target of targets) {
    const outcomes: Outcome[] = []
    const started = performance.now()
    await Promise.all(
      options.concurrentPayers.map(async (account) => {
        const client = payer(account)
        for (let n = 0; n < options.perPayer; n++) outcomes.push(await payOnce(client, target.url))
      }),
    )
    concurrent.push({ outcomes, wallMs: performance.now() - started })
  }

  return targets.map((target, i) => {
    const seq = sequential[i]!
    const conc = concurrent[i]!
    const firstFailure = [...seq, ...conc.outcomes].find((o) => !o.ok)?.failure ?? null
    return {
      name: target.name,
      sequential: summarize(
        seq,
        seq.reduce((sum, o) => sum + o.ms, 0),
      ),
      concurrent: { ...summarize(conc.outcomes, conc.wallMs), payers: options.concurrentPayers.length },
      firstFailure,
    }
  })
}
