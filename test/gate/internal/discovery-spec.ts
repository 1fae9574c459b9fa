// Checks a discovery document against draft-payment-discovery-00: its normative JSON Schemas for
// `x-payment-info` and `x-service-info` (strict), the required OpenAPI fields and 402 responses,
// and mppx's own discovery validator.
import assert from 'node:assert/strict'
import { validate } from 'mppx/discovery'
import { z } from 'zod'

const offer = z.strictObject({
  intent: z.enum(['charge', 'session']),
  method: z.string(),
  amount: z.union([z.null(), z.string().regex(/^(0|[1-9][0-9]*)$/)]),
  currency: z.string().optional(),
  description: z.string().optional(),
})
/** The draft's schema admits both forms; we publish (and require) the multi-offer form it recommends. */
const paymentInfo = z.strictObject({ offers: z.array(offer).min(1) })
const serviceInfo = z.object({
  categories: z.array(z.string()).max(5).optional(),
  docs: z.object({ apiReference: z.url().optional(), homepage: z.url().optional(), llms: z.url().optional() }).optional(),
})
const operationMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

export type Offer = z.infer<typeof offer>
export type PaidOperations = Map<string, Offer[]>

/** Asserts the document is valid discovery; returns the offers of each paid operation, keyed "METHOD /path". */
export function assertDiscoveryDocument(document: unknown): PaidOperations {
  const issues = validate(document)
  assert.deepEqual(issues, [], `mppx discovery validator: ${JSON.stringify(issues)}`)
  const doc = document as {
    openapi: string
    info: { title: string; version: string }
    paths: Record<string, Record<string, Record<string, unknown>>>
    'x-service-info'?: unknown
  }
  assert.match(doc.openapi, /^3\./)
  assert.ok(doc.info.title && doc.info.version)
  if (doc['x-service-info'] !== undefined) serviceInfo.parse(doc['x-service-info'])
  const operations: PaidOperations = new Map()
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of operationMethods) {
      const operation = item[method]
      if (!operation || operation['x-payment-info'] === undefined) continue
      const parsed = paymentInfo.safeParse(operation['x-payment-info'])
      assert.ok(parsed.success, `${method} ${path} x-payment-info: ${parsed.error?.message}`)
      const responses = operation.responses as Record<string, unknown> | undefined
      assert.ok(responses?.['402'], `${method} ${path} declares its 402 response`)
      operations.set(`${method.toUpperCase()} ${path}`, parsed.data.offers)
    }
  }
  return operations
}
