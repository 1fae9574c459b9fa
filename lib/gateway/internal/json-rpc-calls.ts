// The JSON-RPC methods a request body calls, read the way the most lenient upstream would read them:
// a call object with two members that could be its method ("method" twice, or "Method" beside it, which
// Go's encoding/json — geth — matches case-insensitively, taking the last) is refused, so a payer cannot
// be priced for one method while the upstream runs another. Browser-safe.

export type JsonRpcCalls = { ok: true; batch: boolean; methods: string[] } | { ok: false; detail: string }

const prefix = 'The request body is not a JSON-RPC call we can price'

/** The methods called, in order; a single call is a batch of one with `batch: false`. */
export function readJsonRpcCalls(body: Uint8Array | null | undefined, maxCalls: number): JsonRpcCalls {
  if (!body || body.byteLength === 0) return { ok: false, detail: `${prefix}: it is empty.` }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return { ok: false, detail: `${prefix}: it is not UTF-8 text.` }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, detail: `${prefix}: it is not valid JSON.` }
  }
  const batch = Array.isArray(value)
  const calls: unknown[] = batch ? (value as unknown[]) : [value]
  if (batch && calls.length === 0) return { ok: false, detail: `${prefix}: the batch is empty (an empty array is not a call).` }
  if (calls.length > maxCalls) return { ok: false, detail: `${prefix}: a batch can hold at most ${maxCalls} calls.` }
  const methodMembers = methodMemberCounts(text)
  const methods: string[] = []
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i]
    const which = batch ? `call ${i + 1} of the batch` : 'the call'
    if (typeof call !== 'object' || call === null || Array.isArray(call))
      return { ok: false, detail: `${prefix}: ${which} is not a JSON-RPC request object.` }
    if ((methodMembers[i] ?? 0) > 1)
      return { ok: false, detail: `${prefix}: ${which} has more than one "method" member (names compared ignoring case).` }
    const method = (call as Record<string, unknown>).method
    if (!Object.hasOwn(call, 'method') || typeof method !== 'string')
      return { ok: false, detail: `${prefix}: ${which} has no "method" string.` }
    methods.push(method)
  }
  return { ok: true, batch, methods }
}

/**
 * For each request object (the top-level object, or each element of a top-level array), how many of
 * its member names equal "method" ignoring ASCII case, escapes decoded. `text` must be valid JSON.
 */
export function methodMemberCounts(text: string): number[] {
  const counts: number[] = []
  // One entry per open container: is it an object, does a member name come next, which call it is (or -1).
  const stack: Array<{ object: boolean; expectName: boolean; call: number }> = []
  let topIsArray = false
  let elements = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    const top = stack[stack.length - 1]
    if (char === '"') {
      let end = i + 1
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1
      if (top?.object && top.expectName) {
        top.expectName = false
        if (top.call >= 0 && (JSON.parse(text.slice(i, end + 1)) as string).toLowerCase() === 'method') counts[top.call]!++
      }
      i = end
    } else if (char === '{' || char === '[') {
      const depth = stack.length
      if (depth === 0) topIsArray = char === '['
      let call = -1
      if (char === '{' && depth === 0) call = 0
      else if (char === '{' && depth === 1 && topIsArray) call = elements
      if (call >= 0) counts[call] = 0
      stack.push({ object: char === '{', expectName: char === '{', call })
    } else if (char === '}' || char === ']') stack.pop()
    else if (char === ',' && top) {
      if (top.object) top.expectName = true
      // Commas of the top-level array separate its elements: their count is the next element's index.
      else if (stack.length === 1) elements++
    }
  }
  return counts
}
