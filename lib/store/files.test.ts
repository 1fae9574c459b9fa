import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { describeEachDatabase } from '@/test/support/databases'
import { FileTooLargeError, InvalidInputError, NotFoundError } from '@/lib/errors/app-error'
import { ensureMerchant } from '@/lib/merchants/ensure-merchant'
import type { DbHandle } from './db'
import * as Files from './files'

describeEachDatabase('files store', (factory) => {
  let handle: DbHandle
  let alice: string
  let bob: string
  before(async () => {
    handle = await factory.open()
    alice = (await ensureMerchant(handle.db, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).id
    bob = (await ensureMerchant(handle.db, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC')).id
  })
  after(async () => {
    await handle?.close()
  })

  test('saveFile stores the bytes exactly and returns metadata without them', async () => {
    const bytes = new Uint8Array(256).map((_, i) => i)
    const info = await Files.saveFile(handle.db, alice, { name: '../../etc/Report "Q1".pdf', contentType: 'Application/PDF', bytes })
    assert.match(info.id, /^fil_/)
    assert.equal(info.name, 'Report Q1.pdf')
    assert.equal(info.contentType, 'application/pdf')
    assert.equal(info.size, 256)
    assert.equal('bytes' in info, false)
    const stored = await Files.getFile(handle.db, info.id)
    assert.ok(stored)
    assert.equal(stored.bytes.constructor, Uint8Array)
    assert.deepEqual(stored.bytes, bytes)
    assert.deepEqual((await Files.getFileForMerchant(handle.db, alice, info.id)).bytes, bytes)
    assert.deepEqual(await Files.listFiles(handle.db, alice), [info])
  })

  test('another merchant’s file is NotFoundError, exactly like a missing one', async () => {
    const info = await Files.saveFile(handle.db, alice, { name: 'a.txt', contentType: 'text/plain', bytes: new TextEncoder().encode('hi') })
    await assert.rejects(Files.getFileForMerchant(handle.db, bob, info.id), (e) => e instanceof NotFoundError && e.resource === 'file')
    await assert.rejects(Files.getFileForMerchant(handle.db, alice, 'fil_missing'), NotFoundError)
    assert.equal(await Files.getFileInfoForMerchant(handle.db, bob, info.id), null)
    assert.equal(await Files.getFile(handle.db, 'fil_missing'), null)
    assert.deepEqual(await Files.listFiles(handle.db, bob), [])
  })

  test('size limits: empty and over-10-MB files are refused with typed errors; exactly 10 MB is stored', async () => {
    await assert.rejects(
      Files.saveFile(handle.db, alice, { name: 'e', contentType: 'text/plain', bytes: new Uint8Array() }),
      InvalidInputError,
    )
    await assert.rejects(
      Files.saveFile(handle.db, alice, { name: 'big', contentType: 'text/plain', bytes: new Uint8Array(Files.maxFileBytes + 1) }),
      (e) => e instanceof FileTooLargeError && e.status === 413 && /10 MB/.test(e.message),
    )
    const max = await Files.saveFile(handle.db, alice, { name: 'max.bin', contentType: '', bytes: new Uint8Array(Files.maxFileBytes) })
    assert.equal(max.size, Files.maxFileBytes)
    assert.equal(max.contentType, 'application/octet-stream')
  })

  test('an unknown merchant cannot store a file', async () => {
    await assert.rejects(
      Files.saveFile(handle.db, 'mer_nobody', { name: 'x', contentType: 'text/plain', bytes: new Uint8Array([1]) }),
      NotFoundError,
    )
  })
})

describe('file names and content types', () => {
  test('sanitizeFileName keeps a safe last path segment', () => {
    const cases: Array<[unknown, string]> = [
      ['report.pdf', 'report.pdf'],
      ['C:\\Users\\me\\notes.txt', 'notes.txt'],
      ['../../etc/passwd', 'passwd'],
      ['..', 'file'],
      ['.bashrc', 'bashrc'],
      ['', 'file'],
      [null, 'file'],
      ['a\r\nX-Evil: 1.txt', 'aX-Evil 1.txt'],
      ['résumé final.pdf', 'résumé final.pdf'],
      ['evil\u202etxt.exe', 'eviltxt.exe'],
      ['  spaced   out  .txt  ', 'spaced out .txt'],
      ['q"uote;s.txt', 'quote;s.txt'],
      ['\ud800broken.txt', 'broken.txt'],
    ]
    for (const [input, expected] of cases) assert.equal(Files.sanitizeFileName(input), expected, String(input))
    assert.equal([...Files.sanitizeFileName('😀'.repeat(300))].length, Files.maxFileNameLength)
  })

  test('normalizeContentType accepts media types and falls back to octet-stream', () => {
    assert.equal(Files.normalizeContentType('Text/Plain ; Charset=utf-8'), 'text/plain; Charset=utf-8')
    assert.equal(Files.normalizeContentType('image/svg+xml'), 'image/svg+xml')
    for (const bad of ['', 'text', 'text/plain\r\nX-Evil: 1', 'a/b; c', 42, undefined, 'x/'.repeat(200)])
      assert.equal(Files.normalizeContentType(bad), 'application/octet-stream', String(bad))
  })
})
