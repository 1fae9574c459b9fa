// The bench's parsers and report helpers (run: node --import tsx --test scripts/bench/bench.test.ts).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { scriptUrls, stringConstant } from './checkout-weight'
import * as CpuProfile from './cpu-profile'
import { parseStat, processTreeCpuMs } from './cpu-time'
import * as Issuance from './issuance'
import { parseWrk } from './load'
import * as Report from './report'
import { median, percentile } from './stats'

describe('stats', () => {
  test('nearest-rank percentiles and medians', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i)
    assert.equal(percentile(samples, 99), 99)
    assert.equal(percentile(samples, 100), 100)
    assert.equal(percentile(samples, 1), 1)
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.ok(Number.isNaN(median([])))
  })
})

describe('parseWrk', () => {
  const output = `Running 3s test @ http://127.0.0.1:4000/l/demo
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.50ms    4.10ms  80.00ms   90.00%
    Req/Sec     1.49k   100.00     1.60k    70.00%
  Latency Distribution
     50%  850.00us
     75%   22.00ms
     90%   25.00ms
     99%    1.20s
  4470 requests in 3.00s, 7.50MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4470
Requests/sec:   1489.91
Transfer/sec:      2.50MB
`
  test('reads rate, count, percentiles in any unit, non-2xx and socket errors', () => {
    const result = parseWrk(output)
    assert.equal(result.requests, 4470)
    assert.equal(result.requestsPerSecond, 1489.91)
    assert.equal(result.p50Ms, 0.85)
    assert.equal(result.p99Ms, 1200)
    assert.equal(result.non2xx, 4470)
    assert.equal(result.errors, 3)
  })

  test('a run without failures reports zero', () => {
    const clean = output.replace(/^.*Socket errors.*\n/m, '').replace(/^.*Non-2xx.*\n/m, '')
    const result = parseWrk(clean)
    assert.equal(result.non2xx, 0)
    assert.equal(result.errors, 0)
  })

  test('refuses output that is not a wrk report', () => {
    assert.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused'), { name: 'LoadError' })
  })
})

describe('scriptUrls', () => {
  test('collects same-origin script sources and script preloads once each, skipping nomodule polyfills', () => {
    const html = `<link rel="preload" as="script" fetchPriority="low" href="/_next/static/chunks/a.js"/>
      <link rel="stylesheet" href="/_next/static/chunks/x.css"/>
      <script src="/_next/static/chunks/a.js" async=""></script>
      <script src="/_next/static/chunks/b.js?dpl=1&amp;v=2" async=""></script>
      <script src="https://js.stripe.com/v3"></script>
      <script src="/_next/static/chunks/polyfills.js" noModule=""></script>
      <script>self.__next_f.push([1])</script>`
    assert.deepEqual(scriptUrls(html, 'http://127.0.0.1:3000'), [
      'http://127.0.0.1:3000/_next/static/chunks/a.js',
      'http://127.0.0.1:3000/_next/static/chunks/b.js?dpl=1&v=2',
    ])
  })
})

describe('stringConstant', () => {
  test('decodes the string literal assigned to a name, escapes included', () => {
    const source = `var A;\nA = '<p class=\\'x\\'>\\n<script>1<\\/script></p>';\nvar B = "no";`
    assert.equal(stringConstant(source, 'A'), `<p class='x'>\n<script>1</script></p>`)
  })

  test('refuses anything but a plain string literal', () => {
    assert.throws(() => stringConstant('A = `${process.exit(1)}`', 'A'), /not a plain string literal/)
    assert.throws(() => stringConstant('B = 1', 'A'), /not found/)
  })
})

describe('report', () => {
  test('a Markdown table escapes pipes and aligns columns', () => {
    const table = Report.table([{ measurement: 'a|b', tollgate: '1', other: '2', ratio: Report.ratio(1, 2) }])
    const lines = table.split('\n')
    assert.equal(lines.length, 3)
    assert.ok(lines[2]!.includes('a\\|b'))
    assert.ok(lines[2]!.includes('0.50×'))
    assert.equal(new Set(lines.map((l) => l.length)).size, 1)
  })

  test('ratios and durations degrade to n/a instead of NaN', () => {
    assert.equal(Report.ratio(1, 0), 'n/a')
    assert.equal(Report.formatMs(Number.NaN), 'n/a')
    assert.equal(Report.formatMs(1520), '1.52 s')
    assert.equal(Report.formatMs(4.25), '4.3 ms')
  })

  test('writing results replaces only the marked block of the benchmarks page', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-test-'))
    try {
      const readme = path.join(dir, 'README.md')
      const before = `# T\n\n## Benchmarks\n\nHow to run.\n\n${Report.resultsStart}\nold\n${Report.resultsEnd}\n\n## Next\n`
      writeFileSync(readme, before)
      Report.writeResults(readme, '| new |')
      assert.equal(readFileSync(readme, 'utf8'), before.replace('\nold\n', '\n| new |\n'))
      writeFileSync(readme, '# T\n')
      assert.throws(() => Report.writeResults(readme, 'x'), { name: 'ResultsSectionError' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('cpu-profile', () => {
  // root -> handler -> { hash (leaf), handler (recursion) -> hash }; one sample per millisecond.
  const frame = (functionName: string, lineNumber = 0) => ({
    functionName,
    url: 'file:///app/node_modules/x.js',
    lineNumber,
    columnNumber: 0,
  })
  const profile: CpuProfile.CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 5] },
      { id: 2, callFrame: frame('handler', 9), children: [3, 4] },
      { id: 3, callFrame: frame('hash', 19) },
      { id: 4, callFrame: frame('handler', 9), children: [6] },
      { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
      { id: 6, callFrame: frame('hash', 19) },
    ],
    startTime: 1_000_000,
    endTime: 1_006_000,
    samples: [3, 3, 6, 2, 5, 5],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
  }

  test('self time lands on the leaf, total time counts a recursive function once per sample, idle is set apart', () => {
    const summary = CpuProfile.summarize(profile)
    const byName = new Map(summary.functions.map((f) => [f.name, f]))
    assert.equal(summary.idleMs, 1)
    assert.deepEqual(byName.get('hash x.js:20'), { name: 'hash x.js:20', selfMs: 3, totalMs: 3 })
    assert.deepEqual(byName.get('handler x.js:10'), { name: 'handler x.js:10', selfMs: 1, totalMs: 4 })
  })

  test('a window keeps only its samples; merged windows add up', () => {
    const first = CpuProfile.summarize(profile, { fromUs: 1_000_000, toUs: 1_002_000 })
    const rest = CpuProfile.summarize(profile, { fromUs: 1_002_000, toUs: 1_010_000 })
    assert.equal(first.sampledMs, 2)
    const merged = CpuProfile.merge([first, rest])
    assert.equal(merged.sampledMs, CpuProfile.summarize(profile).sampledMs)
    assert.equal(merged.functions.find((f) => f.name === 'hash x.js:20')?.totalMs, 3)
  })

  test('callers lists the chains above the outermost matching frame', () => {
    const text = CpuProfile.callers(profile, 'hash')
    assert.match(text, /hash x\.js:20\n\s+<- handler x\.js:10/)
  })
})

describe('pairedCost', () => {
  test('compares the two targets round by round and takes the median', () => {
    const summary = (name: string, roundRates: number[]): Issuance.TargetSummary => ({
      name,
      requestsPerSecond: Number.NaN,
      roundRates,
      cpuUsPerRequest: Number.NaN,
      p50Ms: 0,
      p99Ms: 0,
      wrongStatus: 0,
      socketErrors: 0,
      bodyBytes: 0,
      headerBytes: 0,
    })
    const paired = Issuance.pairedCost(summary('gated', [90, 40, 75]), summary('ungated', [100, 50, 100]))
    assert.deepEqual(
      paired.rounds.map((c) => Math.round(c * 100)),
      [10, 20, 25],
    )
    assert.equal(Math.round(paired.median * 100), 20)
  })
})

describe('cpu-time', () => {
  test('reads pid, parent and user + system ticks past a command name with spaces and parentheses', () => {
    const stat = '4242 (next-server (v16.4.6)) S 4200 4242 4242 0 -1 4194560 100 0 0 0 750 125 3 4 20 0 11 0 500 1000 200'
    assert.deepEqual(parseStat(stat), { pid: 4242, ppid: 4200, ticks: 875 })
  })

  test('counts this process’s own CPU time, which grows with work', () => {
    const before = processTreeCpuMs(process.pid)
    if (before === null) return // no /proc here
    const until = Date.now() + 60
    while (Date.now() < until) Math.sqrt(Math.random())
    assert.ok(processTreeCpuMs(process.pid)! > before)
  })
})
