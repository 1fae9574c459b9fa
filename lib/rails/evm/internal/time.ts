// Unix-seconds helpers for validity windows.

/** RFC 3339 form of a unix timestamp in seconds, for messages; absurd values print as numbers. */
export function isoTime(seconds: bigint): string {
  const ms = Number(seconds) * 1000
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${seconds} (unix seconds)`
}

export function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000))
}
