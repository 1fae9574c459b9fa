import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { csvCell } from './csv'

test('plain cells pass through; commas, quotes and line breaks are quoted (RFC 4180)', () => {
  assert.equal(csvCell('abc'), 'abc')
  assert.equal(csvCell(12), '12')
  assert.equal(csvCell(null), '')
  assert.equal(csvCell('a,b'), '"a,b"')
  assert.equal(csvCell('say "hi"'), '"say ""hi"""')
  assert.equal(csvCell('two\nlines'), '"two\nlines"')
})

test('cells a spreadsheet would run as a formula are neutralised with a leading apostrophe', () => {
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`)
  assert.equal(csvCell('+1'), "'+1")
  assert.equal(csvCell('-2+3'), "'-2+3")
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)")
  assert.equal(csvCell('\tx'), "'\tx")
  assert.equal(csvCell('0.5'), '0.5')
})

test('any string: the cell never starts with a formula character and unquotes back to the (prefixed) text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      const cell = csvCell(text)
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell
      assert.ok(!/^[=+\-@\t\r]/.test(unquoted))
      assert.equal(unquoted, /^[=+\-@\t\r]/.test(text) ? `'${text}` : text)
      if (!cell.startsWith('"')) assert.ok(!/[",\r\n]/.test(cell))
    }),
    { numRuns: 2000 },
  )
})
