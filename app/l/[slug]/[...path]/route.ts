// A service link's paid API below the link: /l/{slug}/{path}?{query}, forwarded to its upstream. The
// path and query are read from the raw request URL (still percent-encoded), not from the decoded params.
import type { NextRequest } from 'next/server'
import { handleLinkRequest } from '@/lib/gate/link-request'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ slug: string; path: string[] }> }

export async function GET(request: NextRequest, { params }: Context) {
  return handleLinkRequest(request, (await params).slug)
}

export const HEAD = GET
export const POST = GET
export const PUT = GET
export const PATCH = GET
export const DELETE = GET
