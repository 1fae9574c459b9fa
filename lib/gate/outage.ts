// A database outage (a restart, a failover) is the server's passing trouble: the payer gets a 503
// problem with Retry-After and is told that retrying the same request is safe, never a bare 500.
import { isDatabaseUnavailable } from '@/lib/store/db'
import { jsonProblem } from './http/problem-response'

export const retryAfterSeconds = 5

export async function answeringOutages(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run()
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error
    return jsonProblem(
      503,
      'Service temporarily unavailable',
      'The payment database cannot be reached right now. Retry the same request in a few seconds: a payment that already went through is delivered then, never charged twice.',
      { 'retry-after': String(retryAfterSeconds) },
    )
  }
}
