// Test-only helpers for the evm/session fuzz tests: "only throws this class" and "a valid value with one part broken".
import fc from 'fast-check'
import { maxUint256 } from 'viem'

export const numRuns = 2_000

/** Runs `run`; any throw must be an instance of one of `classes` (true otherwise, for fc.property). */
export function onlyThrows(classes: ReadonlyArray<{ [Symbol.hasInstance](value: unknown): boolean }>, run: () => unknown): boolean {
  try {
    run()
  } catch (error) {
    if (!classes.some((errorClass) => error instanceof errorClass)) throw error
  }
  return true
}

export async function onlyRejects(
  classes: ReadonlyArray<{ [Symbol.hasInstance](value: unknown): boolean }>,
  run: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await run()
  } catch (error) {
    if (!classes.some((errorClass) => error instanceof errorClass)) throw error
  }
  return true
}

type Path = Array<string | number>

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]))]
}

function setAt(value: unknown, [head, ...rest]: Path, replacement: unknown): unknown {
  if (head === undefined) return replacement
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>
  copy[head] = setAt(copy[head], rest, replacement)
  return copy
}

export const junk = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -1n, max: maxUint256 + 1n }).map(String),
  fc.constantFrom(
    '0x',
    `0x${'0'.repeat(64)}`,
    `0x${'F'.repeat(40)}`,
    '',
    'open',
    'topUp',
    'voucher',
    'close',
    'hash',
    'authorization',
    'permit2',
    '__proto__',
  ),
)

/** `valid` with one node (any depth) replaced by junk. */
export function mutationsOf(valid: unknown) {
  return fc.tuple(fc.constantFrom(...pathsOf(valid)), junk).map(([path, replacement]) => setAt(valid, path, replacement))
}

export const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
})
