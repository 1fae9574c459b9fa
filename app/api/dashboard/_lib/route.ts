// The one wrapper of every dashboard API route: session check, same-origin check for writes,
// and the single mapping of our typed errors to JSON responses. Handlers stay a few lines.
import { AppError, TooManyRequestsError } from '@/lib/errors/app-error'
import { assertSameOrigin, authenticate, getAuthRuntime } from '@/lib/auth/request'
import { BodyTooLargeError, bodyTooLargeResponse, InvalidJsonBodyError, readJsonBody } from '@/lib/http/read-body'
import type { Session } from '@/lib/auth/sessions'
import type { Db } from '@/lib/store/db'
import { startWebhookWorker } from '@/lib/webhooks/worker'

type Params = Record<string, string | string[]>
export type RouteContext = { params: Promise<Params> }
type Handler<P> = (args: { request: Request; db: Db; params: P }) => Promise<Response>
type AuthedHandler<P> = (args: { request: Request; db: Db; params: P; session: Session }) => Promise<Response>

/** A route for a signed-in merchant: 401 without a session, 403 for a cross-site write. */
export function merchantRoute<P extends Params = Params>(handler: AuthedHandler<P>) {
  return (request: Request, context: RouteContext) =>
    run(async () => {
      await assertSameOrigin(request)
      const session = await authenticate(request)
      const { db } = await getAuthRuntime()
      // Deliveries left due by a restart resume once the dashboard is in use.
      startWebhookWorker(db)
      // Routes without dynamic segments get no params object at all.
      const params = ((await context.params) ?? {}) as P
      // An id PostgreSQL cannot even compare (a NUL from "%00") names nothing: 404, not a database error.
      if (
        Object.values(params)
          .flat()
          .some((value) => value.includes('\u0000'))
      )
        return errorResponse(404, 'not_found', 'not found')
      return handler({ request, db, params, session })
    })
}

/** A route anyone may call (sign-in); writes still must come from our own pages. */
export function publicRoute<P extends Params = Params>(handler: Handler<P>) {
  return (request: Request, context: RouteContext) =>
    run(async () => {
      await assertSameOrigin(request)
      const { db } = await getAuthRuntime()
      return handler({ request, db, params: (await context.params) as P })
    })
}

export function json(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(data, { status: init.status ?? 200, headers: { 'cache-control': 'no-store', ...init.headers } })
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return json({ error: { code, message, ...extra } }, { status, headers })
}

/** The largest dashboard JSON body: a link's 256 KB inline body fits however JSON escapes it (6 bytes a character at worst). */
export const MAX_JSON_BODY_BYTES = 2 * 1024 * 1024

/** Reads a JSON body of at most `limitBytes`; a missing or malformed one is a 400, a larger one a 413, never a crash. */
export async function readJson(request: Request, limitBytes: number = MAX_JSON_BODY_BYTES): Promise<unknown> {
  try {
    return await readJsonBody(request, limitBytes)
  } catch (error) {
    if (error instanceof InvalidJsonBodyError) throw new BadRequestError('the request body must be JSON')
    throw error
  }
}

export class BadRequestError extends Error {
  override name = 'BadRequestError'
}

async function run(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler()
  } catch (error) {
    return toResponse(error)
  }
}

function toResponse(error: unknown): Response {
  if (error instanceof TooManyRequestsError)
    return errorResponse(error.status, error.code, error.message, {}, { 'retry-after': String(error.retryAfterSeconds) })
  if (error instanceof AppError) return json({ error: error.toJSON() }, { status: error.status })
  if (error instanceof BadRequestError) return errorResponse(400, 'invalid_input', error.message)
  // Problem details like every 413, plus the dashboard's own error member its pages read.
  if (error instanceof BodyTooLargeError) return bodyTooLargeResponse(error, { error: { code: 'body_too_large', message: error.message } })
  // Unexpected: a programming or database fault. Its code location helps; request bodies (which may
  // hold a signature) never reach these messages, and no secret is ever put in one.
  const where = error instanceof Error ? (error.stack?.split('\n').slice(0, 8).join(' | ') ?? error.name) : typeof error
  console.error(`dashboard API error: ${where.slice(0, 1500)}`)
  return errorResponse(500, 'internal_error', 'something went wrong on our side; try again')
}
