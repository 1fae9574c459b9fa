// Files a merchant uploads to sell through a link. Bytes live in the database so every app
// instance sharing it can serve them; the size cap keeps rows reasonable.
import { randomBytes } from 'node:crypto'
import { and, desc, eq, getTableColumns } from 'drizzle-orm'
import { FileTooLargeError, InvalidInputError, NotFoundError } from '@/lib/errors/app-error'
import type { Db } from './db'
import { files, merchants } from './schema'

export type StoredFile = typeof files.$inferSelect
export type FileInfo = Omit<StoredFile, 'bytes'>
export type SaveFileInput = { name: string; contentType: string; bytes: Uint8Array }

export const maxFileBytes = 10 * 1024 * 1024
export const maxFileNameLength = 200
const fallbackContentType = 'application/octet-stream'
const columns = getTableColumns(files)
// Every column but the bytes: listings and ownership checks never load file contents.
const infoColumns = {
  id: columns.id,
  merchantId: columns.merchantId,
  name: columns.name,
  contentType: columns.contentType,
  size: columns.size,
  createdAt: columns.createdAt,
}

export function newFileId(): string {
  return `fil_${randomBytes(16).toString('base64url')}`
}

/** Stores a file for a merchant and returns its metadata. Unknown merchant: NotFoundError. */
export async function saveFile(db: Db, merchantId: string, input: SaveFileInput): Promise<FileInfo> {
  if (!(input.bytes instanceof Uint8Array)) throw new InvalidInputError([{ path: 'bytes', message: 'the file content is missing' }])
  if (input.bytes.byteLength === 0) throw new InvalidInputError([{ path: 'bytes', message: 'the file is empty' }])
  if (input.bytes.byteLength > maxFileBytes) throw new FileTooLargeError(maxFileBytes)
  // Merchants are never deleted, so checking first cannot race into a foreign-key error.
  const owner = await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, merchantId)).limit(1)
  if (!owner[0]) throw new NotFoundError('merchant')
  const rows = await db
    .insert(files)
    .values({
      id: newFileId(),
      merchantId,
      name: sanitizeFileName(input.name),
      contentType: normalizeContentType(input.contentType),
      size: input.bytes.byteLength,
      bytes: input.bytes,
    })
    .returning(infoColumns)
  return rows[0]!
}

/** The file with its bytes, whoever owns it (for serving a paid link). */
export async function getFile(db: Db, id: string): Promise<StoredFile | null> {
  const rows = await db.select().from(files).where(eq(files.id, id)).limit(1)
  return rows[0] ? withPlainBytes(rows[0]) : null
}

/** The file only when this merchant owns it; anything else is NotFoundError, existence never revealed. */
export async function getFileForMerchant(db: Db, merchantId: string, id: string): Promise<StoredFile> {
  const rows = await db
    .select()
    .from(files)
    .where(and(eq(files.id, id), eq(files.merchantId, merchantId)))
    .limit(1)
  if (!rows[0]) throw new NotFoundError('file')
  return withPlainBytes(rows[0])
}

/** Metadata (no bytes) of the file when this merchant owns it, else null. */
export async function getFileInfoForMerchant(db: Db, merchantId: string, id: string): Promise<FileInfo | null> {
  const rows = await db
    .select(infoColumns)
    .from(files)
    .where(and(eq(files.id, id), eq(files.merchantId, merchantId)))
    .limit(1)
  return rows[0] ?? null
}

/** A merchant's files, newest first, without their bytes. */
export async function listFiles(db: Db, merchantId: string): Promise<FileInfo[]> {
  return db.select(infoColumns).from(files).where(eq(files.merchantId, merchantId)).orderBy(desc(files.createdAt), desc(files.id))
}

/**
 * A download name that is safe to put in Content-Disposition and on a payer's disk: the last path
 * segment only, no control/bidi characters or quotes, no leading dots, at most 200 characters.
 */
export function sanitizeFileName(name: unknown): string {
  if (typeof name !== 'string') return 'file'
  const lastSegment = name.normalize('NFC').split(/[/\\]/).pop() ?? ''
  const cleaned = lastSegment
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"*:<>?|]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
  const clipped = Array.from(cleaned).slice(0, maxFileNameLength).join('').trim()
  return clipped || 'file'
}

/** A lower-cased `type/subtype` (parameters kept when well-formed), or application/octet-stream. */
export function normalizeContentType(contentType: unknown): string {
  if (typeof contentType !== 'string' || contentType.length > 200) return fallbackContentType
  const token = '[a-z0-9!#$&^_.+-]+'
  const pattern = new RegExp(`^(${token}/${token})((?:\\s*;\\s*${token}=(?:${token}|"[^"\\\\\\r\\n]*"))*)\\s*$`, 'i')
  const match = pattern.exec(contentType.trim())
  if (!match) return fallbackContentType
  return match[1]!.toLowerCase() + match[2]!.replace(/\s*;\s*/g, '; ')
}

// node-postgres hands back a Buffer, PGlite a Uint8Array: give callers one type.
function withPlainBytes(file: StoredFile): StoredFile {
  const b = file.bytes
  return { ...file, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) }
}
