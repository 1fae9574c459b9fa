// Sign-in endpoints are public: a per-client budget keeps nonce rows and signature checks bounded.
import { TooManyRequestsError } from '@/lib/auth/errors'
import { clientKey, RateLimiter } from '@/lib/gate/rate-limit'

const globalLimits = globalThis as unknown as { __tollgateSignInLimiter?: RateLimiter }
const limiter = (globalLimits.__tollgateSignInLimiter ??= new RateLimiter(Number(process.env.RATE_LIMIT_SIGN_IN_PER_MINUTE) || 60))

export function limitSignIn(request: Request): void {
  const result = limiter.hit(`sign-in:${clientKey(request)}`)
  if (!result.allowed)
    throw new TooManyRequestsError(`too many sign-in attempts; retry in ${result.retryAfterSeconds} seconds`, result.retryAfterSeconds)
}
