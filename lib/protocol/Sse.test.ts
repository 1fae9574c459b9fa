import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Sse from './Sse'

const parseAll = (text: string, options?: Sse.ParserOptions) => {
  const parser = Sse.createParser(options)
  return [...parser.push(text), ...parser.end()]
}

describe('createParser', () => {
  test('events, default type, multi-line data, comments, ids', () => {
    assert.deepEqual(parseAll(': hello\n\ndata: a\ndata:b\n\nevent: payment-need-voucher\nid: 7\ndata: {"x":1}\n\n'), [
      { event: 'message', data: 'a\nb' },
      { event: 'payment-need-voucher', data: '{"x":1}', id: '7' },
    ])
  })

  test('CRLF, CR and LF line ends, a BOM, a field without a colon', () => {
    assert.deepEqual(parseAll('\uFEFFdata: 1\r\n\r\ndata: 2\r\rdata\n\n'), [
      { event: 'message', data: '1' },
      { event: 'message', data: '2' },
      { event: 'message', data: '' },
    ])
  })

  test('any split into chunks gives the same events, CRLF split across chunks included', () => {
    const text = 'event: a\r\ndata: one\r\n\r\nevent: b\r\ndata: two\r\ndata: three\r\n\r\n'
    const whole = parseAll(text)
    for (let i = 0; i <= text.length; i++) {
      const parser = Sse.createParser()
      assert.deepEqual([...parser.push(text.slice(0, i)), ...parser.push(text.slice(i)), ...parser.end()], whole, `split at ${i}`)
    }
  })

  test('an event with no data is not dispatched; an unterminated last event is dropped', () => {
    assert.deepEqual(parseAll('event: ping\n\ndata: tail'), [])
  })

  test('an oversized event throws SseLimitError, whether in one line or many', () => {
    assert.throws(() => parseAll(`data: ${'x'.repeat(100)}\n\n`, { maxEventLength: 50 }), Sse.SseLimitError)
    assert.throws(() => parseAll('data: 1234567890\n'.repeat(10), { maxEventLength: 50 }), Sse.SseLimitError)
    assert.throws(() => Sse.createParser({ maxEventLength: 50 }).push('x'.repeat(60)), Sse.SseLimitError, 'a line that never ends')
  })
})

test('format writes what the parser reads', () => {
  const events = [
    { event: 'payment-receipt', data: '{"a":1}' },
    { event: 'message', data: 'line 1\nline 2' },
  ]
  assert.deepEqual(parseAll(events.map(Sse.format).join('')), events)
  assert.throws(() => Sse.format({ event: 'a\nb', data: '' }), TypeError)
})

test('read yields events from a byte stream, multi-byte characters split across chunks included', async () => {
  const bytes = new TextEncoder().encode('data: ünï\n\ndata: ✓\n\n')
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const byte of bytes) controller.enqueue(new Uint8Array([byte]))
      controller.close()
    },
  })
  const seen: string[] = []
  for await (const event of Sse.read(body)) seen.push(event.data)
  assert.deepEqual(seen, ['ünï', '✓'])
})

test('read cancels the body when the consumer stops early', async () => {
  let cancelled = false
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode('data: x\n\n'))
    },
    cancel() {
      cancelled = true
    },
  })
  for await (const event of Sse.read(body)) {
    assert.equal(event.data, 'x')
    break
  }
  assert.equal(cancelled, true)
})
