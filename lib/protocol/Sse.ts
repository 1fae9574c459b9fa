// Server-Sent Events framing (WHATWG HTML, "Server-sent events", event stream interpretation): what a
// metered stream's `payment-need-voucher` and `payment-receipt` events travel in. Browser-safe, no I/O.

export type Event = {
  /** The `event:` field; "message" when the server sent none. */
  event: string
  /** The `data:` lines joined with "\n". */
  data: string
  /** The last `id:` seen so far (the spec's last event ID buffer). */
  id?: string
}

/** Thrown when one event grows past the parser's limit (a hostile or broken stream). */
export class SseLimitError extends Error {
  override name = 'SseLimitError'
}

export type ParserOptions = {
  /** Characters one event (all its lines) may hold; default 64 KiB. */
  maxEventLength?: number
}

export type Parser = {
  /** Feeds decoded text; returns the events it completed. */
  push(chunk: string): Event[]
  /** Ends the stream: an unterminated last event is discarded, as the spec says. */
  end(): Event[]
}

export function createParser(options: ParserOptions = {}): Parser {
  const maxEventLength = options.maxEventLength ?? 64 * 1024
  let buffer = ''
  let started = false
  let eventType = ''
  let data: string[] = []
  let dataLength = 0
  let lastId: string | undefined

  const dispatch = (out: Event[]) => {
    if (data.length > 0) {
      const event: Event = { event: eventType === '' ? 'message' : eventType, data: data.join('\n') }
      if (lastId !== undefined) event.id = lastId
      out.push(event)
    }
    eventType = ''
    data = []
    dataLength = 0
  }

  const line = (text: string, out: Event[]) => {
    if (text === '') return dispatch(out)
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') eventType = value
    else if (field === 'data') {
      dataLength += value.length + 1
      if (dataLength > maxEventLength) throw new SseLimitError(`an event is longer than ${maxEventLength} characters`)
      data.push(value)
    } else if (field === 'id' && !value.includes('\u0000')) lastId = value
    // `retry` and unknown fields are ignored.
  }

  return {
    push(chunk) {
      buffer += chunk
      if (!started && buffer.length > 0) {
        started = true
        if (buffer.startsWith('\uFEFF')) buffer = buffer.slice(1)
      }
      const out: Event[] = []
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer)
        // A trailing CR may be the first half of CRLF: wait for the next chunk.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) break
        line(buffer.slice(0, match.index), out)
        buffer = buffer.slice(match.index + match[0].length)
      }
      if (buffer.length + dataLength > maxEventLength) throw new SseLimitError(`an event is longer than ${maxEventLength} characters`)
      return out
    },
    end() {
      const out: Event[] = []
      // A lone CR at the very end still terminates its line.
      if (buffer.endsWith('\r')) {
        line(buffer.slice(0, -1), out)
        buffer = ''
      }
      buffer = ''
      data = []
      return out
    },
  }
}

/** Reads a `text/event-stream` body to its end, yielding each complete event. */
export async function* read(body: ReadableStream<Uint8Array>, options: ParserOptions = {}): AsyncGenerator<Event> {
  const parser = createParser(options)
  const decoder = new TextDecoder()
  const reader = body.getReader()
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield* parser.push(decoder.decode(value, { stream: true }))
    }
    finished = true
    yield* parser.push(decoder.decode())
    yield* parser.end()
  } finally {
    // A consumer that stops early (or a parse error) cancels the body so the connection is released.
    if (!finished) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}

/** One event in wire form; multi-line data becomes several `data:` lines. Field values must not contain CR/LF. */
export function format(event: { event?: string; data: string; id?: string }): string {
  const lines: string[] = []
  for (const [field, value] of [
    ['event', event.event],
    ['id', event.id],
  ] as const)
    if (value !== undefined) {
      if (/[\r\n]/.test(value)) throw new TypeError(`SSE ${field} must be a single line`)
      lines.push(`${field}: ${value}`)
    }
  for (const dataLine of event.data.split(/\r\n|\r|\n/)) lines.push(`data: ${dataLine}`)
  return `${lines.join('\n')}\n\n`
}
