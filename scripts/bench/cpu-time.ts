// CPU time (user + system) a process and its descendants have used, from /proc (Linux). Unlike
// throughput, CPU per request hardly moves when other jobs share the cores, so it shows what a
// request costs the server even on a busy machine.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

let ticksPerSecond: number | undefined

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** pid, parent pid and utime + stime in clock ticks, from the text of /proc/<pid>/stat. */
export function parseStat(text: string): { pid: number; ppid: number; ticks: number } {
  // The command name may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { pid: Number.parseInt(text, 10), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }
}

/** Milliseconds of CPU used so far by `pid` and every live descendant; null where /proc is not available. */
export function processTreeCpuMs(pid: number): number | null {
  let stats: Array<{ pid: number; ppid: number; ticks: number }>
  try {
    stats = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .flatMap((name) => {
        try {
          return [parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'))]
        } catch {
          return [] // the process ended while we looked
        }
      })
  } catch {
    return null
  }
  const children = new Map<number, number[]>()
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid])
  const ticks = new Map(stats.map((s) => [s.pid, s.ticks]))
  if (!ticks.has(pid)) return null
  let total = 0
  for (const queue = [pid]; queue.length > 0;) {
    const next = queue.pop()!
    total += ticks.get(next) ?? 0
    queue.push(...(children.get(next) ?? []))
  }
  return (total * 1000) / clockTicks()
}
