// Reads a V8 .cpuprofile (node --cpu-prof) into the two tables a performance question needs: where
// samples land (self time) and which functions they pass through (total time, each counted once per sample).
// Frames of bundled server chunks are named by their source file and line, read from the chunk's source map.
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

export type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number }
export type ProfileNode = { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
export type CpuProfile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** A stretch of the profile, in its clock: microseconds of the monotonic clock (`process.hrtime.bigint() / 1000n` of any process on the machine). */
export type Window = { fromUs: number; toUs: number }

export type FunctionTime = { name: string; selfMs: number; totalMs: number }
export type Summary = { sampledMs: number; idleMs: number; functions: FunctionTime[] }

const sourceMaps = new Map<string, SourceMap | null>()

function sourceMapOf(url: string): SourceMap | null {
  if (!sourceMaps.has(url)) {
    const file = url.startsWith('file://') ? fileURLToPath(url) : url
    const mapFile = `${file}.map`
    sourceMaps.set(
      url,
      file.endsWith('.js') && existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as never) : null,
    )
  }
  return sourceMaps.get(url)!
}

/** `name file:line`: the original source when a source map knows it, else the file after node_modules/ or the build folder. */
export function frameName(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)'
  if (!frame.url) return name
  const entry = sourceMapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) as
    { originalSource?: string; originalLine?: number; name?: string } | undefined
  if (entry?.originalSource) {
    const source = entry.originalSource.replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, '')
    return `${entry.name ?? name} ${source}:${(entry.originalLine ?? 0) + 1}`
  }
  const file = frame.url
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/\.next[^/]*\/server\//, 'server/')
    .replace(/^file:\/\//, '')
  return `${name} ${file}:${frame.lineNumber + 1}`
}

/** Self and total time per function (by name and location), slowest total first; only samples within `window` when given. */
export function summarize(profile: CpuProfile, window?: Window): Summary {
  const { names, parent } = index(profile)
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  let sampledMs = 0
  let idleMs = 0
  for (const [leaf, ms] of samples(profile, window)) {
    sampledMs += ms
    const leafName = names.get(leaf)!
    if (leafName === '(idle)') idleMs += ms
    self.set(leafName, (self.get(leafName) ?? 0) + ms)
    const seen = new Set<string>()
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const name = names.get(id)!
      if (seen.has(name)) continue
      seen.add(name)
      total.set(name, (total.get(name) ?? 0) + ms)
    }
  }
  const functions = [...total].map(([name, totalMs]) => ({ name, totalMs, selfMs: self.get(name) ?? 0 }))
  functions.sort((a, b) => b.totalMs - a.totalMs)
  return { sampledMs, idleMs, functions }
}

/** Several summaries (e.g. one per load window) as one. */
export function merge(summaries: readonly Summary[]): Summary {
  const byName = new Map<string, FunctionTime>()
  for (const s of summaries) {
    for (const f of s.functions) {
      const sum = byName.get(f.name) ?? { name: f.name, selfMs: 0, totalMs: 0 }
      sum.selfMs += f.selfMs
      sum.totalMs += f.totalMs
      byName.set(f.name, sum)
    }
  }
  const functions = [...byName.values()].sort((a, b) => b.totalMs - a.totalMs)
  return { sampledMs: summaries.reduce((t, s) => t + s.sampledMs, 0), idleMs: summaries.reduce((t, s) => t + s.idleMs, 0), functions }
}

function index(profile: CpuProfile): { names: Map<number, string>; parent: Map<number, number> } {
  const names = new Map(profile.nodes.map((n) => [n.id, frameName(n.callFrame)]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  return { names, parent }
}

/** [leaf node id, ms] per sample within `window`. */
function* samples(
  profile: CpuProfile,
  window: Window = { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY },
): Generator<[number, number]> {
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0
    // timeDeltas[i] is the time before sample i; the following delta is the time sample i stands for.
    if (at >= window.fromUs && at < window.toUs) yield [profile.samples[i]!, (profile.timeDeltas[i + 1] ?? 0) / 1000]
  }
}

/** Where the time spent inside functions matching `focus` comes from: the heaviest chains of `depth` callers above the outermost match. */
export function callers(profile: CpuProfile, focus: string, options: { window?: Window; depth?: number; top?: number } = {}): string {
  const { names, parent } = index(profile)
  const chains = new Map<string, number>()
  let busyMs = 0
  for (const [leaf, ms] of samples(profile, options.window)) {
    if (names.get(leaf) !== '(idle)') busyMs += ms
    let outermost: number | undefined
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) if (names.get(id)!.includes(focus)) outermost = id
    if (outermost === undefined) continue
    const chain = [names.get(outermost)!]
    for (let id = parent.get(outermost); id !== undefined && chain.length <= (options.depth ?? 8); id = parent.get(id))
      chain.push(names.get(id)!)
    const key = chain.join('\n      <- ')
    chains.set(key, (chains.get(key) ?? 0) + ms)
  }
  const sorted = [...chains].sort((a, b) => b[1] - a[1]).slice(0, options.top ?? 10)
  return sorted.map(([chain, ms]) => `${((100 * ms) / busyMs).toFixed(1).padStart(5)}%  ${chain}`).join('\n\n')
}

/** Per function, microseconds per request in `a` minus in `b`: what one workload spends beyond another. */
export function difference(a: { summary: Summary; requests: number }, b: { summary: Summary; requests: number }, top = 40): string {
  const perRequest = (s: { summary: Summary; requests: number }, key: 'selfMs' | 'totalMs') =>
    new Map(s.summary.functions.map((f) => [f.name, (1000 * f[key]) / s.requests]))
  const busy = (s: { summary: Summary; requests: number }) => (1000 * (s.summary.sampledMs - s.summary.idleMs)) / s.requests
  const lines = [`busy µs per request: ${busy(a).toFixed(0)} vs ${busy(b).toFixed(0)} (+${(busy(a) - busy(b)).toFixed(0)})`]
  for (const key of ['selfMs', 'totalMs'] as const) {
    const [x, y] = [perRequest(a, key), perRequest(b, key)]
    const rows = [...new Set([...x.keys(), ...y.keys()])].map((name) => ({ name, a: x.get(name) ?? 0, b: y.get(name) ?? 0 }))
    rows.sort((r, s) => Math.abs(s.a - s.b) - Math.abs(r.a - r.b))
    lines.push('', `${key === 'selfMs' ? 'self' : 'total'} µs per request (first, second, difference):`)
    for (const r of rows.slice(0, top))
      lines.push(`  ${r.a.toFixed(0).padStart(6)} ${r.b.toFixed(0).padStart(6)} ${(r.a - r.b).toFixed(0).padStart(6)}  ${r.name}`)
  }
  return lines.join('\n')
}

/** A plain-text report: the top functions by self time and by total time, as % of busy (non-idle) time. */
export function report(summary: Summary, top = 40, requests?: number): string {
  const busy = summary.sampledMs - summary.idleMs
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`
  const perRequest = requests ? `, ${((1000 * busy) / requests).toFixed(0)} µs per request` : ''
  const lines = [
    `sampled ${summary.sampledMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms, busy ${busy.toFixed(0)} ms${perRequest}`,
    '',
    'self time (of busy):',
  ]
  const bySelf = [...summary.functions].filter((f) => f.name !== '(idle)').sort((a, b) => b.selfMs - a.selfMs)
  for (const f of bySelf.slice(0, top)) lines.push(`  ${pct(f.selfMs)}  ${f.name}`)
  lines.push('', 'total time (of busy):')
  for (const f of summary.functions.filter((f) => f.name !== '(root)' && f.name !== '(idle)').slice(0, top))
    lines.push(`  ${pct(f.totalMs)}  ${f.name}`)
  return lines.join('\n')
}
