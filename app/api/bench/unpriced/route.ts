// Benchmark baseline (only with TOLLGATE_BENCH=1): the bytes of /l/demo's 402, captured once and
// replayed as a 200 with no gating, so `npm run bench` can isolate what gating costs per request.
import { handleLinkRequest } from '@/lib/gate/link-request'

export const dynamic = 'force-dynamic'

type Captured = { body: ArrayBuffer; headers: Array<[string, string]> }

let captured: Promise<Captured> | undefined

async function capture(url: URL): Promise<Captured> {
  const response = await handleLinkRequest(new Request(url, { headers: { accept: 'application/json' } }), 'demo')
  return { body: await response.arrayBuffer(), headers: [...response.headers] }
}

export async function GET(request: Request) {
  if (process.env.TOLLGATE_BENCH !== '1') return new Response('Not found', { status: 404 })
  captured ??= capture(new URL('/l/demo', request.url)).catch((error: unknown) => {
    captured = undefined
    throw error
  })
  const { body, headers } = await captured
  return new Response(body, { status: 200, headers })
}
