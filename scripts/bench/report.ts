// The bench's output: the machine it ran on, one Markdown table of results with ratios, and the
// docs/benchmarks.md results block (between two markers, so nothing else on the page changes).
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'

export type Row = { measurement: string; tollgate: string; other: string; ratio: string }

export type Machine = { date: string; cpus: number; cpuModel: string; memoryGiB: number; node: string; loadAverage: string }

export function machine(): Machine {
  return {
    date: new Date().toISOString().slice(0, 10),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  }
}

export function describeMachine(m: Machine): string {
  return `${m.date} · ${m.cpus} CPUs (nproc), ${m.cpuModel} · ${m.memoryGiB} GiB RAM · Node ${m.node} · load average at start ${m.loadAverage}`
}

export function table(rows: Row[]): string {
  const header = ['Measurement', 'Tollgate', 'Compared with', 'Ratio']
  const cells = rows.map((r) => [r.measurement, r.tollgate, r.other, r.ratio].map((c) => c.replaceAll('|', '\\|')))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n')
}

export const formatNumber = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a'
export const formatMs = (ms: number): string =>
  Number.isFinite(ms) ? (ms >= 1000 ? `${formatNumber(ms / 1000, 2)} s` : `${formatNumber(ms, ms < 10 ? 1 : 0)} ms`) : 'n/a'
export const formatKiB = (bytes: number): string => `${formatNumber(bytes / 1024, 1)} KiB`
export const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${formatNumber(a / b, 2)}×` : 'n/a'

export const resultsStart = '<!-- bench:results:start (written by `npm run bench -- --write-docs`) -->'
export const resultsEnd = '<!-- bench:results:end -->'

export class ResultsSectionError extends Error {
  override name = 'ResultsSectionError'
}

/** Replaces the marked results block of docs/benchmarks.md; the rest of the file is untouched. */
export function writeResults(docPath: string, markdown: string): void {
  const doc = readFileSync(docPath, 'utf8')
  const start = doc.indexOf(resultsStart)
  const end = doc.indexOf(resultsEnd)
  if (start < 0 || end < start) throw new ResultsSectionError(`${docPath} has no bench results markers`)
  writeFileSync(docPath, `${doc.slice(0, start + resultsStart.length)}\n${markdown.trim()}\n${doc.slice(end)}`)
}
