// Benchmark 5: requests paid by vouchers on one session channel, against the unpaid 402 of the same link and
// against charge-paid requests (one EIP-3009 settlement each). The channel is opened once with the project's
// client; every voucher is signed before the clock starts (signing is the payer's cost, not the server's),
// then sent with a few concurrent keep-alive connections. Cumulative vouchers may arrive out of order: each
// processed voucher covers at least as many units as have been processed, so every one is served.
import { Mppx, evm } from 'mppx/client'
import type { Account, LocalAccount } from 'viem'
import { createSessionClient, credential, type Offer, findOffers } from '@/lib/client/session'
import { processTreeCpuMs } from './cpu-time'

export type SessionBenchOptions = {
  /** The session-priced URL (per request). */
  url: string
  /** A charge-priced URL of the same server, paid by the mppx client. */
  chargeUrl: string
  /** The server's pid (its process tree's CPU is measured). */
  pid: number
  rpcUrl: string
  payer: LocalAccount
  /** Price of one request in base units (the challenge says it too; checked). */
  unitPrice: bigint
  vouchers: number
  concurrency: number
  chargePayers: Account[]
  chargesPerPayer: number
}

export type Phase = {
  name: string
  count: number
  failures: number
  perSecond: number
  /** Server CPU (user + system, its process tree) per request, microseconds. */
  cpuUsPerRequest: number
  firstFailure: string | null
}

export type SessionBench = { voucherPaid: Phase; unpaid: Phase; chargePaid: Phase; spent: bigint }

type Send = (i: number) => Promise<{ ok: boolean; failure?: string }>

/** Runs `count` requests through `send` on `concurrency` workers; wall time and the server's CPU time. */
async function run(name: string, pid: number, count: number, concurrency: number, send: Send): Promise<Phase> {
  let next = 0
  let failures = 0
  let firstFailure: string | null = null
  const cpuBefore = processTreeCpuMs(pid)
  const started = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const outcome = await send(i).catch((error: unknown) => ({
          ok: false,
          failure: error instanceof Error ? error.message : String(error),
        }))
        if (!outcome.ok) {
          failures++
          firstFailure ??= outcome.failure ?? 'failed'
        }
      }
    }),
  )
  const wallMs = performance.now() - started
  const cpuAfter = processTreeCpuMs(pid)
  const served = count - failures
  return {
    name,
    count: served,
    failures,
    perSecond: served / (wallMs / 1000),
    cpuUsPerRequest: cpuBefore === null || cpuAfter === null || served === 0 ? Number.NaN : ((cpuAfter - cpuBefore) * 1000) / count,
    firstFailure,
  }
}

export async function measure(options: SessionBenchOptions): Promise<SessionBench> {
  const { url, unitPrice, vouchers } = options
  const session = createSessionClient({ account: options.payer, rpcUrl: options.rpcUrl, deposit: BigInt(vouchers + 1) * unitPrice })
  const opened = await session.fetch(url)
  await opened.body?.cancel()
  if (opened.status !== 200) throw new Error(`opening the bench channel answered ${opened.status}`)
  const channel = session.channels()[0]!

  const first = await fetch(url)
  await first.body?.cancel()
  const offer: Offer | undefined = findOffers(first.headers)[0]
  if (!offer || BigInt(offer.request.amount) !== unitPrice) throw new Error('the session offer is missing or not priced as expected')
  // Signed before the clock starts: the payer's work, not the server's.
  const headers: Array<{ name: string; value: string }> = []
  for (let i = 0; i < vouchers; i++) headers.push(credential(offer.challenge, await session.voucher(channel, BigInt(i + 2) * unitPrice)))

  const expectStatus = (status: number) => async (response: Response) => {
    await response.arrayBuffer()
    return response.status === status ? { ok: true } : { ok: false, failure: `HTTP ${response.status}` }
  }
  const unpaid = await run('unpaid 402', options.pid, vouchers, options.concurrency, () => fetch(url).then(expectStatus(402)))
  const voucherPaid = await run('voucher-paid', options.pid, vouchers, options.concurrency, (i) =>
    fetch(url, { headers: { [headers[i]!.name]: headers[i]!.value } }).then(expectStatus(200)),
  )

  const charges = options.chargePayers.map((account) =>
    Mppx.create({
      methods: [evm({ account, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })],
      polyfill: false,
      maxPaymentRetries: 1,
    }),
  )
  const chargeCount = options.chargePayers.length * options.chargesPerPayer
  // One worker per payer: each payer's authorizations are its own.
  const chargePaid = await run('charge-paid', options.pid, chargeCount, options.chargePayers.length, (i) =>
    charges[i % charges.length]!.fetch(options.chargeUrl).then(async (response) => {
      await response.arrayBuffer()
      return response.status === 200 && response.headers.get('payment-receipt')
        ? { ok: true }
        : { ok: false, failure: `HTTP ${response.status}` }
    }),
  )

  const closed = await session.close(url)
  return { voucherPaid, unpaid, chargePaid, spent: BigInt(closed.receipt?.spent ?? '0') }
}
