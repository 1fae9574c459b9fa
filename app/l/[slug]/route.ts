// The shareable payment link: GET/HEAD /l/{slug}; a service link (a paid API) also takes POST, PUT,
// PATCH and DELETE here and below it (./[...path]/route.ts). Other links answer those 405.
import type { NextRequest } from 'next/server'
import { handleLinkRequest } from '@/lib/gate/link-request'

// Always rendered per request (it reads headers and the link): declaring it spares Next from wrapping
// the request in its static-generation tracking proxy, which every header read went through.
export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ slug: string }> }

export async function GET(request: NextRequest, { params }: Context) {
  return handleLinkRequest(request, (await params).slug)
}

export const HEAD = GET
export const POST = GET
export const PUT = GET
export const PATCH = GET
export const DELETE = GET
