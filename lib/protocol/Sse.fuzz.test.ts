// Properties: the SSE parser throws only SseLimitError on any text, gives the same events however the
// text is split into chunks, and reads back whatever format wrote.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Sse from './Sse'

const numRuns = 2_000
const streamText = fc
  .array(fc.oneof(fc.string(), fc.constantFrom('\n', '\r', '\r\n', 'data: ', 'event: ', 'id: ', ':', 'data:x\n\n', '\uFEFF')), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''))

const parseChunks = (chunks: string[]) => {
  const parser = Sse.createParser({ maxEventLength: 2_000 })
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()]
}

test('any text: events or SseLimitError, nothing else', () => {
  fc.assert(
    fc.property(fc.oneof(streamText, fc.string({ unit: 'binary' })), (text) => {
      try {
        parseChunks([text])
      } catch (error) {
        if (!(error instanceof Sse.SseLimitError)) throw error
      }
    }),
    { numRuns },
  )
})

test('splitting into chunks never changes the events', () => {
  fc.assert(
    fc.property(streamText, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
      const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b)
      const chunks = [0, ...points].map((start, i) => text.slice(start, [...points, text.length][i]))
      assert.deepEqual(parseChunks(chunks), parseChunks([text]))
    }),
    { numRuns },
  )
})

test('format then parse is the identity for single-line fields', () => {
  const line = fc.string().filter((s) => !/[\r\n]/.test(s))
  fc.assert(
    fc.property(
      fc.array(fc.record({ event: line.filter((s) => s !== '' && !s.startsWith(' ')), data: fc.string() }), { maxLength: 5 }),
      (events) => {
        const normalized = events.map((event) => ({ event: event.event, data: event.data.replace(/\r\n|\r/g, '\n') }))
        assert.deepEqual(parseChunks([events.map(Sse.format).join('')]), normalized)
      },
    ),
    { numRuns },
  )
})
