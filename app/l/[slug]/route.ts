// The shareable payment link: GET/HEAD /l/{slug}.
import type { NextRequest } from 'next/server'
import { handleLinkRequest } from '@/lib/gate/link-request'

type Context = { params: Promise<{ slug: string }> }

export async function GET(request: NextRequest, { params }: Context) {
  return handleLinkRequest(request, (await params).slug)
}

export const HEAD = GET
