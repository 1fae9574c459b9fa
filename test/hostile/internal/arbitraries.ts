// Building blocks for hostile input: text a client can put in a header, JSON of every shape, and
// deep mutations of genuine values (the inputs that get furthest before something must refuse them).
import fc from 'fast-check'

/** What fetch can carry in a header value: Latin-1 without CR, LF or NUL (fetch trims the ends). */
export const headerText = (maxLength = 300) =>
  fc
    .string({
      unit: fc
        .oneof(
          { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
          { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
          { weight: 1, arbitrary: fc.constant(0x09) },
        )
        .map((c) => String.fromCharCode(c)),
      maxLength,
    })
    .map((s) => s.trim())

export const hex = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength, maxLength }).map((s) => `0x${s}`)

/** Scalars that tend to break parsers: huge and negative numbers, numeric strings, hex, unicode. */
export const nastyScalar = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map(String),
  fc.constantFrom('', ' ', '0', '-1', '1e400', 'NaN', 'null', 'true', '0x', '__proto__', 'constructor', '\u0000', '\ud800', '9'.repeat(80)),
  fc.boolean(),
  fc.constant(null),
  hex(0, 140),
)

export const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyScalar },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constant([]) },
)

/** `value` with one member, at any depth, replaced, removed or added (or the whole value replaced). */
export function mutated(value: unknown, depth = 0): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== 'object' || depth > 6) return jsonish
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  const options: Array<fc.Arbitrary<unknown>> = [jsonish.map((replacement) => replacement)]
  if (keys.length > 0) {
    options.push(
      fc
        .constantFrom(...keys)
        .chain((key) =>
          mutated(record[key], depth + 1).map((child) =>
            Array.isArray(value) ? Object.assign([...value], { [key]: child }) : { ...record, [key]: child },
          ),
        ),
      fc
        .constantFrom(...keys)
        .chain((key) =>
          mutated(record[key], depth + 1).map((child) =>
            Array.isArray(value) ? Object.assign([...value], { [key]: child }) : { ...record, [key]: child },
          ),
        ),
      fc.constantFrom(...keys).map((key) => {
        if (Array.isArray(value)) return value.filter((_, i) => String(i) !== key)
        return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key))
      }),
    )
  }
  options.push(
    fc
      .tuple(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype')), jsonish)
      .map(([key, child]) => (Array.isArray(value) ? [...value, child] : { ...record, [key]: child })),
  )
  return fc.oneof(...options)
}

/** `value` mutated once or several times over. */
export function mutatedRepeatedly(value: unknown, times = 3): fc.Arbitrary<unknown> {
  let arbitrary: fc.Arbitrary<unknown> = mutated(value)
  for (let i = 1; i < times; i++)
    arbitrary = fc.oneof(
      arbitrary,
      arbitrary.chain((once) => mutated(once)),
    )
  return arbitrary
}

export const base64url = (text: string | Uint8Array) => Buffer.from(text).toString('base64url')
export const base64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64')

/** JSON.stringify that never throws (bigints, cycles) and always returns text. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null'
  } catch {
    return 'null'
  }
}
