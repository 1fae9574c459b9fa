// Service discovery: the OpenAPI document of every paid operation (MPP draft-payment-discovery-00).
import { discoveryDocument } from '@/lib/discovery/discovery'
import { getGate } from '@/lib/gate/runtime'

export const dynamic = 'force-dynamic'

export async function GET() {
  const gate = await getGate()
  return Response.json(await discoveryDocument(gate), {
    // The draft recommends five minutes; discovery is advisory, so a link changed meanwhile is harmless.
    headers: { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
  })
}
