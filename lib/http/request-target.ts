// The request-target (path and query) exactly as the client sent it. Next rebuilds a request's query
// string (`?flag` becomes `?flag=`, `%20` becomes `+`), which a gateway must not do to the call it
// forwards; server.mjs records the raw target in a header of its own on every request, overwriting any
// value a client sent. Without server.mjs (next dev) the request's URL is the best there is.

const marker = globalThis as unknown as { __tollgateRequestTargetHeader?: string }

/** `{ pathname, search }` as received: still percent-encoded, the query byte for byte ('' or '?…'). */
export function rawRequestTarget(request: Request): { pathname: string; search: string } {
  const header = marker.__tollgateRequestTargetHeader
  const raw = header ? request.headers.get(header) : null
  if (raw !== null && raw.startsWith('/')) {
    const query = raw.indexOf('?')
    return query === -1 ? { pathname: raw, search: '' } : { pathname: raw.slice(0, query), search: raw.slice(query) }
  }
  const url = new URL(request.url)
  return { pathname: url.pathname, search: url.search }
}
