// Request bodies read with a byte limit while they stream in: a body that declares or grows past the
// limit stops being read at once and is answered 413, so no client can make the server buffer more.

export const problemContentType = 'application/problem+json'

/** The body (declared or streamed) is larger than the route accepts. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
  constructor(
    readonly limitBytes: number,
    detail = `The request body is larger than this endpoint accepts (at most ${describeBytes(limitBytes)}).`,
  ) {
    super(detail)
  }
}

/** The body is not the JSON the route expects (empty, not UTF-8 text, not JSON). */
export class InvalidJsonBodyError extends Error {
  override name = 'InvalidJsonBodyError'
  constructor() {
    super('The request body must be JSON.')
  }
}

/**
 * The whole body, at most `limitBytes`; throws BodyTooLargeError as soon as it declares or reaches more.
 * The stream is left unread (not cancelled) past the limit: cancelling it would reset the connection
 * before the 413 reaches the client. server.mjs discards what is left once the answer is out.
 */
export async function readBody(request: Request, limitBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 0) throw new RangeError(`body limit must be a whole number of bytes: ${limitBytes}`)
  if (declaredLength(request) > limitBytes) throw new BodyTooLargeError(limitBytes)
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > limitBytes) throw new BodyTooLargeError(limitBytes)
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  return joinChunks(chunks, total)
}

/** The chunks of a body as one array of `total` bytes. */
export function joinChunks(chunks: readonly Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/** The body parsed as JSON, read with `limitBytes`; throws BodyTooLargeError or InvalidJsonBodyError. */
export async function readJsonBody(request: Request, limitBytes: number): Promise<unknown> {
  const bytes = await readBody(request, limitBytes)
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown
  } catch {
    throw new InvalidJsonBodyError()
  }
}

/** The 413 answer: RFC 9457 problem details naming the limit. `extension` adds members (a route's own error shape). */
export function bodyTooLargeResponse(error: BodyTooLargeError, extension: Record<string, unknown> = {}): Response {
  const body = {
    type: 'about:blank',
    title: 'Content too large',
    status: 413,
    detail: error.message,
    maxBytes: error.limitBytes,
    ...extension,
  }
  // The rest of the body is server.mjs's to discard (briefly) before the connection closes.
  return new Response(JSON.stringify(body), { status: 413, headers: { 'content-type': problemContentType, 'cache-control': 'no-store' } })
}

// A Content-Length we can believe (digits only); anything else is checked while streaming.
function declaredLength(request: Request): number {
  const value = request.headers.get('content-length')?.trim()
  return value && /^\d{1,15}$/.test(value) ? Number(value) : 0
}

function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`
  return `${bytes} bytes`
}
