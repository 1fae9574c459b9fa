import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { z } from 'zod'
import { InvalidInputError } from './errors'
import { parseInput } from './internal/parse-input'
import { linkInput } from './internal/link-input-arbitrary'
import * as LinkSchema from './schema'

const StoredLinkShape = z
  .object({
    title: z.string().min(1).max(120),
    price: z.string().regex(/^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/),
    rails: z.array(z.enum(['evm', 'stripe'])),
    session: z.object({ unitType: z.string() }).nullish(),
    recipient: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/)
      .optional(),
  })
  // A link is sold somehow: by a rail per call, or per unit as a session (which may be its only way).
  .refine((link) => link.rails.length > 0 || Boolean(link.session), 'a link with no rail must be sold as a session')

test('create input: any value is either a well-formed link or a ZodError, never another throw', () => {
  let accepted = 0
  fc.assert(
    fc.property(fc.oneof(linkInput, fc.anything()), (input) => {
      const result = LinkSchema.CreateLinkInputSchema.safeParse(input)
      if (result.success) {
        accepted++
        StoredLinkShape.parse(result.data)
        if (result.data.slug !== undefined) assert.match(result.data.slug, LinkSchema.slugPattern)
        if (result.data.expiresAt) assert.ok(result.data.expiresAt.getTime() > Date.now() - 60_000)
      } else assert.ok(result.error instanceof z.ZodError)
    }),
    { numRuns: 3000 },
  )
  // The generators must reach past the first refusal often enough to test the deep checks.
  assert.ok(accepted > 30, `only ${accepted} inputs were accepted`)
})

test('update input: same guarantee, and parseInput only ever throws InvalidInputError', () => {
  fc.assert(
    fc.property(fc.oneof(linkInput, fc.anything()), (input) => {
      try {
        parseInput(LinkSchema.UpdateLinkInputSchema, input)
      } catch (error) {
        assert.ok(error instanceof InvalidInputError, String(error))
        assert.equal(error.status, 400)
        assert.ok(error.issues.length > 0)
      }
    }),
    { numRuns: 3000 },
  )
})

test('slug schema accepts exactly the documented alphabet', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 70 }), (slug) => {
      const result = LinkSchema.SlugSchema.safeParse(slug)
      if (result.success) {
        assert.match(result.data, /^[a-z0-9-]{3,64}$/)
        assert.ok(!LinkSchema.reservedSlugs.has(result.data))
      }
    }),
    { numRuns: 3000 },
  )
})
