import assert from 'node:assert/strict'
import { test } from 'node:test'
import { contentDisposition } from './content-disposition'

test('ASCII names are quoted as they are', () => {
  assert.equal(contentDisposition('report.pdf'), 'attachment; filename="report.pdf"')
  assert.equal(contentDisposition('a b.txt', 'inline'), 'inline; filename="a b.txt"')
})

test('non-ASCII names get an ASCII fallback and an RFC 8187 UTF-8 name', () => {
  assert.equal(contentDisposition('résumé.pdf'), `attachment; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`)
  assert.equal(contentDisposition('日本.txt'), `attachment; filename="file.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`)
})

test('hostile names cannot break out of the header', () => {
  for (const name of ['a"; filename="evil.html', 'x\r\nSet-Cookie: a=b', '..\\..\\boot.ini', '100%.txt']) {
    const header = contentDisposition(name)
    assert.doesNotMatch(header, /[\r\n]/)
    assert.equal(header.match(/"/g)?.length, 2, header)
    assert.match(header, /^attachment; filename="[^"\\]*"(; filename\*=UTF-8''[A-Za-z0-9%._~!-]*)?$/, header)
  }
})
