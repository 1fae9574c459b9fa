// Content-Disposition for serving a stored file (RFC 6266 with an RFC 8187 UTF-8 name).
import { sanitizeFileName } from '@/lib/store/files'

/** `attachment; filename="ascii"; filename*=UTF-8''encoded` — attachment by default so uploaded HTML never renders on our origin. */
export function contentDisposition(fileName: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const name = sanitizeFileName(fileName)
  const stripped = name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\%]/g, '')
    .trim()
  // A name that was all non-ASCII keeps its extension: "日本.txt" falls back to "file.txt".
  const ascii = !stripped || stripped.startsWith('.') ? `file${stripped}` : stripped
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return ascii === name ? `${disposition}; filename="${ascii}"` : `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
