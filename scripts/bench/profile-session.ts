// `npx tsx scripts/bench/profile-session.ts [--vouchers=1000] [--concurrency=8] [--top=40] [--callers=name] [--keep]`:
// starts the bench's stack with its server under `node --cpu-prof`, opens one channel of /l/demo-session, sends
// pre-signed vouchers (benchmark 5's voucher-paid phase) and the same number of unpaid requests, then prints where
// the server's CPU went per request for each, and what a voucher spends beyond the unpaid 402.
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createSessionClient, credential, findOffers } from '@/lib/client/session'
import { anvilAccount } from '@/scripts/chain/deploy'
import * as CpuProfile from './cpu-profile'
import { profileServer } from './profiled-server'

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const vouchers = Number(option('vouchers', '1000'))
const concurrency = Number(option('concurrency', '8'))
const top = Number(option('top', '40'))
const focus = option('callers', '')
const keep = args.includes('--keep')
const unitPrice = 1_000n

const nowUs = () => Number(process.hrtime.bigint() / 1000n)

type Phase = { name: string; window: CpuProfile.Window; requests: number; failures: number; perSecond: number }

async function phase(name: string, count: number, send: (i: number) => Promise<boolean>): Promise<Phase> {
  let next = 0
  let failures = 0
  const fromUs = nowUs()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) if (!(await send(i).catch(() => false))) failures++
    }),
  )
  const toUs = nowUs()
  return { name, window: { fromUs, toUs }, requests: count, failures, perSecond: count / ((toUs - fromUs) / 1e6) }
}

async function main() {
  const phases: Phase[] = []
  const env = {
    TOLLGATE_BENCH: '1',
    RATE_LIMIT_CHALLENGES_PER_MINUTE: '1000000000',
    RATE_LIMIT_CREDENTIALS_PER_MINUTE: '1000000000',
    RATE_LIMIT_VOUCHERS_PER_MINUTE: '1000000000',
    SESSION_SETTLE_THRESHOLD_USD: '1000',
  }
  const { profile, profileDir } = await profileServer(env, async (stack) => {
    const url = `${stack.url}/l/demo-session`
    const session = createSessionClient({
      account: anvilAccount(1),
      rpcUrl: stack.chain.rpcUrl,
      deposit: BigInt(2 * vouchers + 10) * unitPrice,
    })
    const opened = await session.fetch(url)
    await opened.body?.cancel()
    if (opened.status !== 200) throw new Error(`opening the channel answered ${opened.status}`)
    const channel = session.channels()[0]!
    const first = await fetch(url)
    await first.body?.cancel()
    const offer = findOffers(first.headers)[0]!
    const headers: Array<{ name: string; value: string }> = []
    for (let i = 0; i < 2 * vouchers; i++)
      headers.push(credential(offer.challenge, await session.voucher(channel, BigInt(i + 2) * unitPrice)))
    const ok = (status: number) => async (response: Response) => {
      await response.arrayBuffer()
      return response.status === status
    }
    // A warm-up of each path, then the measured phases.
    await phase('warm-up 402', Math.min(200, vouchers), () => fetch(url).then(ok(402)))
    await phase('warm-up vouchers', vouchers, (i) => fetch(url, { headers: { [headers[i]!.name]: headers[i]!.value } }).then(ok(200)))
    phases.push(
      await phase('voucher-paid', vouchers, (i) =>
        fetch(url, { headers: { [headers[vouchers + i]!.name]: headers[vouchers + i]!.value } }).then(ok(200)),
      ),
    )
    phases.push(await phase('unpaid 402', vouchers, () => fetch(url).then(ok(402))))
  })
  const summaries = phases.map((p) => ({ phase: p, summary: CpuProfile.summarize(profile, p.window), requests: p.requests }))
  for (const { phase: p, summary } of summaries) {
    console.log(`\n=== ${p.name}: ${p.perSecond.toFixed(0)} req/s, ${p.requests} requests, ${p.failures} failed`)
    console.log(CpuProfile.report(summary, top, p.requests))
    if (focus) console.log(`\ncallers of ${focus}:\n${CpuProfile.callers(profile, focus, { window: p.window })}`)
  }
  if (summaries.length >= 2)
    console.log(`\n=== voucher-paid beyond unpaid 402\n${CpuProfile.difference(summaries[0]!, summaries[1]!, top)}`)
  if (keep) {
    writeFileSync(
      path.join(profileDir, 'runs.json'),
      JSON.stringify(phases.map((p) => ({ name: p.name, window: p.window, requests: p.requests }))),
    )
    console.log(`\nprofile and phase windows (runs.json) kept in ${profileDir}`)
  } else rmSync(profileDir, { recursive: true, force: true })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
