// Liveness for load balancers and the test harness: answers without touching the database.
export const dynamic = 'force-dynamic'

export function GET() {
  return Response.json({ ok: true })
}
