// `npm run bench`: Tollgate against its baselines on this machine, side by side in one process tree
// (anvil, `next start`, the mppx reference server and the load generator are all children of this
// script). Prints a Markdown table; `-- --write-docs` also writes it into docs/benchmarks.md.
// Options: --quick (a short smoke run), --only=1,2,3,4,5,6 (pick benchmarks), --no-wrk (use the in-process
// load generator even when wrk is installed), --rounds=N (interleaved rounds of benchmark 1, default 3).
// Figures are printed, never asserted.
import path from 'node:path'
import { type Address, createPublicClient, erc20Abi, http } from 'viem'
import { anvilAccount } from '@/scripts/chain/deploy'
import { type Stack, startStack } from '@/test/support/stack'
import { jsonInit, signIn } from '@/test/dashboard/support'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import * as CheckoutWeight from './checkout-weight'
import * as Gateway from './gateway'
import * as Issuance from './issuance'
import * as Load from './load'
import * as Paid from './paid'
import * as Reference from './reference'
import * as Report from './report'
import * as Session from './session'
import * as TimeToUnlock from './time-to-unlock'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const writeReadme = args.includes('--write-docs')
const only = new Set((args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? '1,2,3,4,5,6').split(','))

const engine: Load.Engine = args.includes('--no-wrk') ? 'node' : Load.defaultEngine()
const settings = quick
  ? {
      issuance: { concurrency: 32, durationMs: 1_000, rounds: 1, warmupMs: 1_000, engine },
      sequential: 10,
      perPayer: 2,
      unlockRuns: 2,
      vouchers: 200,
    }
  : {
      issuance: { concurrency: 32, durationMs: 3_000, rounds: 3, warmupMs: 1_000, engine },
      sequential: 100,
      perPayer: 8,
      unlockRuns: 10,
      vouchers: 2_000,
    }

const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? Number.NaN)
if (Number.isInteger(rounds) && rounds > 0) settings.issuance.rounds = rounds

const concurrentPayers = [2, 3, 4, 5, 6, 7, 8, 9].map((i) => anvilAccount(i))
/** mppx reference settles from its own anvil account, so its nonces never race Tollgate's settler (account 0). */
const referenceSettlerIndex = 10

function log(message: string) {
  console.log(`[bench] ${message}`)
}

async function main() {
  const machine = Report.machine()
  log(`machine: ${Report.describeMachine(machine)}`)
  log('starting anvil, the seeded database, the upstream and the app server (builds first if the build is stale)…')
  const stopping: Array<() => Promise<void>> = []
  const stopAll = async () => {
    for (const stop of stopping.splice(0).reverse()) await stop().catch(() => {})
  }
  const interrupted = () => void stopAll().finally(() => process.exit(130))
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)

  const rows: Report.Row[] = []
  const notes: string[] = []
  try {
    const stack: Stack = await startStack({
      env: {
        TOLLGATE_BENCH: '1',
        RATE_LIMIT_CHALLENGES_PER_MINUTE: '1000000000',
        RATE_LIMIT_CREDENTIALS_PER_MINUTE: '1000000000',
        RATE_LIMIT_VOUCHERS_PER_MINUTE: '1000000000',
        // No session settlement mid-run: its transaction would count as the vouchers' CPU.
        SESSION_SETTLE_THRESHOLD_USD: '1000',
      },
    })
    stopping.push(() => stack.stop())
    const demo = stack.links.find((l) => l.slug === 'demo')
    if (!demo || demo.resource.kind !== 'inline') throw new Error('the seeded /l/demo link is missing or not inline')
    const reference = await Reference.start(
      {
        rpcUrl: stack.chain.rpcUrl,
        chainId: stack.chain.chainId,
        token: stack.chain.token,
        recipient: demo.recipient as Address,
        amount: demo.priceUsd,
        decimals: 6,
        description: demo.title,
        resourceKey: `link:${demo.id}`,
        body: demo.resource.body,
        contentType: demo.resource.contentType,
        settlerIndex: referenceSettlerIndex,
      },
      stack.env.MPP_SECRET_KEY!,
    )
    stopping.push(() => reference.stop())
    log(
      `Tollgate ${stack.url} (pid ${stack.apps[0]!.pid}), mppx reference ${reference.url} (pid ${reference.pid}), anvil pid ${stack.chain.pid}`,
    )

    if (only.has('1')) {
      log(
        `1/6 402 issuance: ${settings.issuance.rounds} interleaved rounds of ${settings.issuance.durationMs / 1000} s per target, ${settings.issuance.concurrency} keep-alive connections (${engine === 'wrk' ? 'wrk' : 'in-process generator'})…`,
      )
      const [gated, ungatedFast, unpriced, mppx] = await Issuance.measure(
        [
          { name: 'tollgate', url: `${stack.url}/l/demo`, expectedStatus: 402, pid: stack.apps[0]!.pid },
          { name: 'ungated-fast', url: `${stack.url}/bench/unpriced`, expectedStatus: 200, pid: stack.apps[0]!.pid },
          { name: 'unpriced', url: `${stack.url}/api/bench/unpriced`, expectedStatus: 200, pid: stack.apps[0]!.pid },
          { name: 'mppx', url: `${reference.url}/l/demo`, expectedStatus: 402, pid: reference.pid },
        ],
        settings.issuance,
        [
          ['tollgate', 'ungated-fast'],
          ['tollgate', 'unpriced'],
        ],
      )
      const rps = (s: Issuance.TargetSummary) => `${Report.formatNumber(s.requestsPerSecond)} req/s`
      const latency = (s: Issuance.TargetSummary) => `${Report.formatMs(s.p50Ms)} / ${Report.formatMs(s.p99Ms)}`
      const cost = 1 - gated!.requestsPerSecond / ungatedFast!.requestsPerSecond
      rows.push(
        {
          measurement: '1. Unpaid GET /l/demo → 402, throughput',
          tollgate: rps(gated!),
          other: `${rps(ungatedFast!)} — same bytes, same server path, ungated`,
          ratio: `${Report.ratio(gated!.requestsPerSecond, ungatedFast!.requestsPerSecond)} (gating costs ${Report.formatNumber(cost * 100, 1)}%; target < 10%)`,
        },
        {
          measurement: '1. Unpaid GET /l/demo → 402, throughput',
          tollgate: rps(gated!),
          other: `${rps(unpriced!)} — same bytes, ungated Next.js route`,
          ratio: Report.ratio(gated!.requestsPerSecond, unpriced!.requestsPerSecond),
        },
        {
          measurement: '1. Unpaid GET /l/demo → 402, throughput',
          tollgate: rps(gated!),
          other: `${rps(mppx!)} — mppx 0.11 server on node:http`,
          ratio: `${Report.ratio(gated!.requestsPerSecond, mppx!.requestsPerSecond)} (target ≥ 0.6×)`,
        },
        {
          measurement: '1. 402 latency under load, p50 / p99',
          tollgate: latency(gated!),
          other: `${latency(ungatedFast!)} ungated · ${latency(mppx!)} mppx`,
          ratio: `${Report.ratio(gated!.p50Ms, ungatedFast!.p50Ms)} · ${Report.ratio(gated!.p50Ms, mppx!.p50Ms)} (p50)`,
        },
      )
      notes.push(
        `Load generator: ${engine === 'wrk' ? 'wrk (1 thread)' : 'in-process Node client (node:http keep-alive agent)'}, ${settings.issuance.concurrency} connections, median of ${settings.issuance.rounds} interleaved rounds of ${settings.issuance.durationMs / 1000} s per target.`,
        'Unpaid link requests are answered by server.mjs before Next routes them (lib/gate/fast-path.ts); the ungated baseline on that path (/bench/unpriced) answers the same bytes with no gating, and the ungated Next.js route (/api/bench/unpriced) shows what the same answer costs through Next.',
      )
      const paired = Issuance.pairedCost(gated!, ungatedFast!)
      notes.push(
        `Gating cost per round (each round runs both back to back): median ${Report.formatNumber(paired.median * 100, 1)}% (${paired.rounds.map((c) => `${Report.formatNumber(c * 100, 1)}%`).join(', ')}).`,
      )
      const us = (s: Issuance.TargetSummary) => `${Report.formatNumber(s.cpuUsPerRequest)} µs`
      if (Number.isFinite(gated!.cpuUsPerRequest) && Number.isFinite(ungatedFast!.cpuUsPerRequest))
        notes.push(
          `Server CPU (user + system) per answered request, median of the rounds — it hardly moves with other jobs on the machine, unlike throughput: Tollgate ${us(gated!)}, ungated on the same path ${us(ungatedFast!)} (gating costs ${Report.formatNumber((1 - ungatedFast!.cpuUsPerRequest / gated!.cpuUsPerRequest) * 100, 1)}% of the 402's CPU), ungated Next.js route ${us(unpriced!)}, mppx ${us(mppx!)}.`,
        )
      notes.push(
        `402 sizes: Tollgate ${gated!.bodyBytes} B body + ${gated!.headerBytes} B headers; ungated ${ungatedFast!.bodyBytes} B + ${ungatedFast!.headerBytes} B; mppx ${mppx!.bodyBytes} B + ${mppx!.headerBytes} B.`,
      )
      const all = [gated!, ungatedFast!, unpriced!, mppx!]
      notes.push(
        `Requests under load: ${all.map((s) => `${s.name} ${s.wrongStatus} wrong status, ${s.socketErrors} socket errors/timeouts`).join('; ')}.`,
      )
    }

    if (only.has('2')) {
      log(
        `2/6 paid round trips: ${settings.sequential} sequential per server (alternating), then ${concurrentPayers.length} payers × ${settings.perPayer} concurrently per server…`,
      )
      const chain = createPublicClient({ transport: http(stack.chain.rpcUrl) })
      const balance = () =>
        chain.readContract({ address: stack.chain.token, abi: erc20Abi, functionName: 'balanceOf', args: [demo.recipient as Address] })
      const before = await balance()
      const [ours, mppx] = await Paid.measure(
        [
          { name: 'tollgate', url: `${stack.url}/l/demo` },
          { name: 'mppx', url: `${reference.url}/l/demo` },
        ],
        { sequential: settings.sequential, sequentialPayers: [anvilAccount(1)], concurrentPayers, perPayer: settings.perPayer },
      )
      const received = (await balance()) - before
      const paidCount = ours!.sequential.count + ours!.concurrent.count + mppx!.sequential.count + mppx!.concurrent.count
      const price = 10n ** 4n // 0.01 USDC in base units (6 decimals)
      notes.push(
        `Paid requests: ${paidCount} answered 200 with a receipt; the merchant received ${received} base units on chain (${received === BigInt(paidCount) * price ? 'exactly one price per paid request' : `EXPECTED ${BigInt(paidCount) * price}`}).`,
      )
      for (const s of [ours!, mppx!])
        if (s.firstFailure)
          notes.push(`${s.name}: ${s.sequential.failures + s.concurrent.failures} paid requests failed, first: ${s.firstFailure}`)
      const lat = (p: Paid.Phase) => `${Report.formatMs(p.p50Ms)} / ${Report.formatMs(p.p99Ms)}`
      rows.push(
        {
          measurement: `2. Paid request (mppx client, EIP-3009, anvil), sequential ×${settings.sequential}: median / p99`,
          tollgate: lat(ours!.sequential),
          other: `${lat(mppx!.sequential)} — mppx reference`,
          ratio: `${Report.ratio(ours!.sequential.p50Ms, mppx!.sequential.p50Ms)} / ${Report.ratio(ours!.sequential.p99Ms, mppx!.sequential.p99Ms)}`,
        },
        {
          measurement: '2. Paid requests, sequential: throughput',
          tollgate: `${Report.formatNumber(ours!.sequential.perSecond, 1)} /s`,
          other: `${Report.formatNumber(mppx!.sequential.perSecond, 1)} /s`,
          ratio: Report.ratio(ours!.sequential.perSecond, mppx!.sequential.perSecond),
        },
        {
          measurement: `2. Paid requests, ${concurrentPayers.length} payers concurrently ×${settings.perPayer}: median / p99`,
          tollgate: lat(ours!.concurrent),
          other: lat(mppx!.concurrent),
          ratio: `${Report.ratio(ours!.concurrent.p50Ms, mppx!.concurrent.p50Ms)} / ${Report.ratio(ours!.concurrent.p99Ms, mppx!.concurrent.p99Ms)}`,
        },
        {
          measurement: '2. Paid requests, concurrent: throughput',
          tollgate: `${Report.formatNumber(ours!.concurrent.perSecond, 1)} /s`,
          other: `${Report.formatNumber(mppx!.concurrent.perSecond, 1)} /s`,
          ratio: Report.ratio(ours!.concurrent.perSecond, mppx!.concurrent.perSecond),
        },
      )
    }

    if (only.has('3')) {
      log('3/6 checkout weight: our /pay first-load JS, and the published @x402/paywall EVM page (npm pack)…')
      const ours = await CheckoutWeight.ourCheckout(stack.url, `/pay?u=${encodeURIComponent('/l/demo')}`)
      const paywall = CheckoutWeight.x402Paywall()
      const paywallText = paywall.available
        ? `${Report.formatKiB(paywall.weight.gzipBytes)} — @x402/paywall ${paywall.version} EVM paywall page (${paywall.note})`
        : `not measured: ${paywall.reason}`
      const paywallGzip = paywall.available ? paywall.weight.gzipBytes : Number.NaN
      if (!ours.available)
        rows.push({ measurement: '3. Checkout JS (gzip)', tollgate: `not available yet: ${ours.reason}`, other: paywallText, ratio: 'n/a' })
      else {
        rows.push({
          measurement: '3. Checkout JS before a method is chosen (gzip)',
          tollgate: `${Report.formatKiB(ours.firstLoad.gzipBytes)} (${ours.firstLoad.files} files)`,
          other: paywallText,
          ratio: Report.ratio(ours.firstLoad.gzipBytes, paywallGzip),
        })
        if (ours.walletPath)
          rows.push({
            measurement: '3. Checkout JS, whole wallet path (gzip)',
            tollgate: `${Report.formatKiB(ours.walletPath.gzipBytes)} (${ours.walletPath.files} files)`,
            other: 'the same page (it inlines all its wallet code)',
            ratio: Report.ratio(ours.walletPath.gzipBytes, paywallGzip),
          })
        notes.push(
          `Our checkout JS is read from the ${ours.source === 'build manifests' ? 'build manifests (scripts/measure-checkout.ts)' : 'scripts the served /pay page references'}; wallet code loads only once the payer points at or chooses "Crypto wallet".`,
        )
      }
      if (paywall.available)
        notes.push(
          `@x402/paywall's EVM paywall is one HTML page with its scripts inlined: ${Report.formatKiB(paywall.weight.rawBytes)} of JS before compression, ${Report.formatKiB(paywall.htmlGzipBytes)} gzip for the whole page.`,
        )
    }

    if (only.has('4')) {
      log(
        `4/6 time to unlock: Playwright + system Chromium, open /l/demo → resource visible via the Test wallet, ${settings.unlockRuns} runs…`,
      )
      const fortune = (JSON.parse(demo.resource.body) as { fortune?: string }).fortune ?? demo.resource.body
      const unlock = await TimeToUnlock.measure({
        baseUrl: stack.url,
        linkPath: '/l/demo',
        expectedText: fortune.slice(0, 40),
        runs: settings.unlockRuns,
      })
      rows.push(
        unlock.available
          ? {
              measurement: `4. Time to unlock, wallet path (median of ${unlock.runs})`,
              tollgate: `${Report.formatMs(unlock.medianMs)} (p90 ${Report.formatMs(unlock.p90Ms)}, min ${Report.formatMs(unlock.minMs)})`,
              other: '— (no reference UI runs here)',
              ratio: 'n/a',
            }
          : { measurement: '4. Time to unlock, wallet path', tollgate: unlock.reason, other: '—', ratio: 'n/a' },
      )
      if (unlock.available)
        notes.push(
          `Time to unlock is scripted clicks with no human think time: open link → checkout → Crypto wallet → Test wallet → Pay → resource on screen. Medians by phase: checkout page interactive ${Report.formatMs(unlock.phasesMs.checkout)}, wallet ready ${Report.formatMs(unlock.phasesMs.wallet)}, pay → resource on screen ${Report.formatMs(unlock.phasesMs.pay)}. JS loaded along the whole wallet path: ${Report.formatKiB(unlock.walletPathJsGzipBytes)} gzip.`,
        )
    }

    if (only.has('5')) {
      log(
        `5/6 pay per request: ${settings.vouchers} voucher-paid requests on one channel of /l/demo-session, the same number unpaid (402), and ${concurrentPayers.length * settings.perPayer} charge-paid requests of /l/demo…`,
      )
      const measured = await Session.measure({
        url: `${stack.url}/l/demo-session`,
        chargeUrl: `${stack.url}/l/demo`,
        pid: stack.apps[0]!.pid,
        rpcUrl: stack.chain.rpcUrl,
        payer: anvilAccount(1),
        unitPrice: 1_000n,
        vouchers: settings.vouchers,
        concurrency: 8,
        chargePayers: concurrentPayers,
        chargesPerPayer: settings.perPayer,
      })
      const { voucherPaid, unpaid, chargePaid } = measured
      const rps = (p: Session.Phase) => `${Report.formatNumber(p.perSecond, p.perSecond < 100 ? 1 : 0)} req/s`
      const cpu = (p: Session.Phase) => `${Report.formatNumber(p.cpuUsPerRequest)} µs CPU/req`
      rows.push(
        {
          measurement: '5. Paid by vouchers on one channel (8 connections): throughput, server CPU',
          tollgate: `${rps(voucherPaid)}, ${cpu(voucherPaid)}`,
          other: `${rps(unpaid)}, ${cpu(unpaid)} — the unpaid 402 of the same link`,
          ratio: `${Report.ratio(voucherPaid.perSecond, unpaid.perSecond)} throughput, ${Report.ratio(voucherPaid.cpuUsPerRequest, unpaid.cpuUsPerRequest)} CPU (target ≤ 1.5× CPU)`,
        },
        {
          measurement: '5. Paid by vouchers vs paid by a charge (EIP-3009 settled on anvil)',
          tollgate: rps(voucherPaid),
          other: `${rps(chargePaid)}, ${cpu(chargePaid)} — ${concurrentPayers.length} mppx payers concurrently`,
          ratio: `${Report.ratio(voucherPaid.perSecond, chargePaid.perSecond)} (target ≥ 50×)`,
        },
      )
      const expected = BigInt(voucherPaid.count + 1) * 1_000n
      notes.push(
        `Pay per request: the channel was opened once (relayed EIP-3009 deposit), ${settings.vouchers} vouchers signed before the clock started, then closed; its receipt says ${measured.spent} base units spent (${measured.spent === expected ? 'exactly one price per served request' : `EXPECTED ${expected}`}). Server CPU is the app's process tree (/proc), jobs included.`,
      )
      for (const p of [voucherPaid, unpaid, chargePaid])
        if (p.failures > 0) notes.push(`${p.name}: ${p.failures} requests failed, first: ${p.firstFailure}`)
    }

    if (only.has('6')) {
      log(
        `6/6 gateway overhead: a service link's free route vs the same upstream called directly, ${settings.issuance.rounds} interleaved rounds of ${settings.issuance.durationMs / 1000} s, ${settings.issuance.concurrency} connections…`,
      )
      const merchant = await signIn(stack.url, anvilPrivateKey(0))
      const { gateway, direct } = await Gateway.measure(async (upstreamUrl) => {
        const response = await merchant.request(
          '/api/dashboard/links',
          jsonInit('POST', {
            slug: 'bench-gateway',
            title: 'Bench gateway',
            price: '0.01',
            rails: ['evm'],
            resource: {
              kind: 'service',
              upstreamUrl,
              pricing: { rules: [{ method: 'GET', path: '/free/**', price: 'free' }], jsonRpc: null },
            },
          }),
        )
        if (response.status !== 201)
          throw new Error(`could not create the bench's service link: ${response.status} ${await response.text()}`)
        return `${stack.url}/l/bench-gateway`
      }, settings.issuance)
      const rps = (s: Gateway.GatewaySummary) => `${Report.formatNumber(s.requestsPerSecond)} req/s`
      rows.push(
        {
          measurement: '6. Free call through the gateway vs the upstream directly, throughput',
          tollgate: rps(gateway),
          other: `${rps(direct)} — the same node:http upstream, called directly`,
          ratio: Report.ratio(gateway.requestsPerSecond, direct.requestsPerSecond),
        },
        {
          measurement: '6. Free call through the gateway, latency p50 / p99',
          tollgate: `${Report.formatMs(gateway.p50Ms)} / ${Report.formatMs(gateway.p99Ms)}`,
          other: `${Report.formatMs(direct.p50Ms)} / ${Report.formatMs(direct.p99Ms)} direct`,
          ratio: `${Report.ratio(gateway.p50Ms, direct.p50Ms)} (p50)`,
        },
      )
      notes.push(
        `Gateway overhead: a GET to a service link's free route (link lookup, pricing, header policy, a fresh connection whose address is checked, the answer streamed back) against the same upstream called directly; requests under load: gateway ${gateway.wrongStatus} wrong status, ${gateway.errors} socket errors; direct ${direct.wrongStatus}, ${direct.errors}.`,
      )
    }
  } finally {
    await stopAll()
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
  }

  const markdown = [
    `Measured ${Report.describeMachine(machine)}${quick ? ' — QUICK smoke run, not representative' : ''}.`,
    'Ratio = Tollgate ÷ comparison: above 1× is better for throughput, worse for latency and weight.',
    '',
    Report.table(rows),
    '',
    ...notes.map((n) => `- ${n}`),
  ].join('\n')
  console.log(`\n${markdown}\n`)
  if (writeReadme) {
    Report.writeResults(path.join(import.meta.dirname, '..', '..', 'docs', 'benchmarks.md'), markdown)
    log('docs/benchmarks.md results updated')
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
