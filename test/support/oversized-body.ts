// A client that streams a large request body the way an attacker would — chunked, no Content-Length
// (or a declared one) — and stops sending as soon as the server answers. It reports how much it had
// sent by then and how long the answer took, which is what a body limit is judged by.
import { request } from 'node:http'
import { readFileSync } from 'node:fs'

export type OversizedAnswer = {
  status: number
  contentType: string | undefined
  body: string
  /** Bytes the client had written when the answer arrived. */
  sentBytes: number
  elapsedMs: number
}

export type OversizedOptions = {
  method?: string
  headers?: Record<string, string>
  /** How much to send at most (default 200 MB). */
  totalBytes?: number
  /** Send Content-Length: totalBytes instead of chunked encoding. */
  declareLength?: boolean
  chunkBytes?: number
  /** The byte to fill the body with (default "a"). */
  fill?: number
}

export function sendOversized(url: string, options: OversizedOptions = {}): Promise<OversizedAnswer> {
  const totalBytes = options.totalBytes ?? 200 * 1024 * 1024
  const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, options.fill ?? 0x61)
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let sent = 0
    let answered = false
    const req = request(url, {
      method: options.method ?? 'POST',
      headers: { ...options.headers, ...(options.declareLength ? { 'content-length': String(totalBytes) } : {}) },
    })
    req.on('response', (res) => {
      answered = true
      const elapsedMs = performance.now() - started
      const sentBytes = sent
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (text: string) => (body += text))
      const finish = () => {
        req.destroy()
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body, sentBytes, elapsedMs })
      }
      res.on('end', finish)
      res.on('error', finish)
    })
    // Once answered, a reset while the rest of the body was still going out is expected.
    req.on('error', (error) => {
      if (!answered) reject(error)
    })
    const pump = () => {
      while (!answered && sent < totalBytes) {
        const piece = sent + chunk.length <= totalBytes ? chunk : chunk.subarray(0, totalBytes - sent)
        sent += piece.length
        if (!req.write(piece)) return void req.once('drain', pump)
      }
      if (!answered) req.end()
    }
    pump()
  })
}

/** Resident memory of a process, in MB (Linux /proc). */
export function residentMegabytes(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) / 1024
}
