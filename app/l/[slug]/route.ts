// The shareable payment link: GET/HEAD /l/{slug}.
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
