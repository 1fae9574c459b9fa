// Retry schedule of a failing delivery: exponential with jitter, capped, then it gives up.

export type RetryPolicy = { baseSeconds: number; maxSeconds: number; maxAttempts: number }

/** 30 s, 1 min, 2 min … capped at 6 h; 10 attempts span about a day. */
export const defaultRetryPolicy: RetryPolicy = { baseSeconds: 30, maxSeconds: 6 * 3600, maxAttempts: 10 }

/** WEBHOOK_RETRY_BASE_SECONDS / WEBHOOK_MAX_ATTEMPTS override the defaults (tests shorten them). */
export function retryPolicyFromEnv(env: Record<string, string | undefined> = process.env): RetryPolicy {
  const base = Number(env.WEBHOOK_RETRY_BASE_SECONDS)
  const attempts = Number(env.WEBHOOK_MAX_ATTEMPTS)
  return {
    ...defaultRetryPolicy,
    baseSeconds: Number.isFinite(base) && base > 0 ? base : defaultRetryPolicy.baseSeconds,
    maxAttempts: Number.isSafeInteger(attempts) && attempts > 0 ? attempts : defaultRetryPolicy.maxAttempts,
  }
}

/** Milliseconds to wait after the n-th failed attempt (n >= 1); ±20% jitter spreads retries apart. */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30)
  const seconds = Math.min(policy.baseSeconds * 2 ** exponent, policy.maxSeconds)
  return Math.round(seconds * 1000 * (0.8 + 0.4 * random()))
}
