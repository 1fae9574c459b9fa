// A link's paid-for bytes as an MCP tool result: text and JSON as text, a stored file as an embedded resource
// (base64 blob, with its name and type), a secret URL as text, a proxied answer as text when it is text, else a
// blob. An agent gets what a browser would, and nothing of it runs anywhere.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { contentTypeEssence } from '@/lib/content/passive-types'
import type { Link } from '@/lib/store/links'
import { maxFileBytes } from '@/lib/store/files'

/** The largest answer a tool result carries (a stored file's limit; base64 makes it a third larger on the wire). */
export const maxResultBytes = maxFileBytes

/** Thrown for an answer that cannot be delivered as a tool result: the payment keeps its receipt and retry. */
export class UndeliverableError extends Error {
  override name = 'UndeliverableError'
}

/** `response` is deliverLink's answer for `link`; a 5xx (a failing upstream) is a failed delivery. */
export async function linkResult(response: Response, link: Link, linkUrl: string): Promise<CallToolResult> {
  if (response.status >= 500) {
    await response.body?.cancel().catch(() => {})
    throw new UndeliverableError(`the resource answered ${response.status}`)
  }
  const resource = link.resource
  if (resource.kind === 'redirect') {
    await response.body?.cancel().catch(() => {})
    return { content: [{ type: 'text', text: resource.url }] }
  }
  const bytes = await readLimited(response, maxResultBytes)
  const type = contentTypeEssence(response.headers.get('content-type')) ?? 'application/octet-stream'
  const isError = response.status >= 400 ? { isError: true } : {}
  if (resource.kind === 'inline' || (resource.kind === 'proxy' && isText(type)))
    return { content: [{ type: 'text', text: new TextDecoder().decode(bytes) }], ...isError }
  const name = fileName(response.headers.get('content-disposition')) ?? link.slug
  return {
    content: [
      { type: 'text', text: `${name} (${type}, ${bytes.byteLength} bytes)` },
      { type: 'resource', resource: { uri: linkUrl, mimeType: type, blob: Buffer.from(bytes).toString('base64') } },
    ],
    ...isError,
  }
}

function isText(type: string): boolean {
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('+json') || type === 'application/xml'
}

/** The name a Content-Disposition header gives (RFC 8187 UTF-8 form first). */
function fileName(header: string | null): string | null {
  if (!header) return null
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1]
  if (encoded) {
    try {
      return decodeURIComponent(encoded)
    } catch {
      // fall back to the ASCII name
    }
  }
  return /filename="([^"]*)"/i.exec(header)?.[1] ?? null
}

async function readLimited(response: Response, limit: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      throw new UndeliverableError(`the answer is larger than a tool result carries (${limit} bytes)`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}
