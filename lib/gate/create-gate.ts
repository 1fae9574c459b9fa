// The composition root: a gate from values (configuration, database, payment methods, clock), so the core
// can be built in a test with a fake method as easily as from the environment (runtime.ts).
import type { Db } from '@/lib/store/db'
import { ChallengeStats } from './challenge-stats'
import type { GateConfig } from './config'
import { RateLimiter } from './rate-limit'
import type { Clock, Gate, MethodRegistry } from './types'

export const systemClock: Clock = { now: () => new Date() }

export type CreateGateParameters = {
  config: GateConfig
  db: Db
  methods: MethodRegistry
  clock?: Clock
  /** The rate limiters, when several gates must count together (one server process); default: the gate's own. */
  limits?: Gate['limits']
}

export function createGate({ config, db, methods, clock = systemClock, limits }: CreateGateParameters): Gate {
  return {
    config,
    db,
    methods,
    clock,
    stats: new ChallengeStats(db),
    limits: limits ?? {
      challenges: new RateLimiter(config.rateLimit.challengesPerMinute),
      credentials: new RateLimiter(config.rateLimit.credentialsPerMinute),
      // A session pays every request with a voucher: the spec's "10 per second per session", per client here.
      vouchers: new RateLimiter(config.rateLimit.vouchersPerMinute ?? 600),
    },
  }
}
