import type { z } from 'zod'
import { InvalidInputError } from '../errors'

/** Parses untrusted input; a schema failure becomes our typed InvalidInputError. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input)
  if (!result.success) throw InvalidInputError.fromZod(result.error)
  return result.data
}
