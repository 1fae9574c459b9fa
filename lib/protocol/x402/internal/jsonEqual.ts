/**
 * Structural equality of JSON values: object key order is ignored, array order is not, and a key
 * whose value is undefined counts as absent (JSON.stringify drops it too).
 */
export function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false
    return left.every((item, index) => jsonEqual(item, right[index]))
  }
  const leftKeys = definedKeys(left)
  const rightKeys = definedKeys(right)
  if (leftKeys.length !== rightKeys.length) return false
  return leftKeys.every(
    (key, index) => key === rightKeys[index] && jsonEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  )
}

function definedKeys(value: object): string[] {
  return Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
}
