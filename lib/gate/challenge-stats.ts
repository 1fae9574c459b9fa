// Counts 402 challenges per resource for the dashboard's conversion figures. Counted in memory
// and flushed in batches so the hot 402 path never waits on the database.
import { sql } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import { challengeCounts } from '@/lib/store/schema'

const FLUSH_INTERVAL_MS = 5_000

export class ChallengeStats {
  private pending = new Map<string, number>()
  private timer: NodeJS.Timeout | null = null

  constructor(private readonly db: Db) {}

  count(resourceKey: string): void {
    this.pending.set(resourceKey, (this.pending.get(resourceKey) ?? 0) + 1)
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS).unref()
  }

  async flush(): Promise<void> {
    this.timer = null
    const batch = this.pending
    this.pending = new Map()
    if (batch.size === 0) return
    const day = new Date().toISOString().slice(0, 10)
    try {
      await this.db
        .insert(challengeCounts)
        .values([...batch].map(([resourceKey, count]) => ({ resourceKey, day, count })))
        .onConflictDoUpdate({
          target: [challengeCounts.resourceKey, challengeCounts.day],
          set: { count: sql`${challengeCounts.count} + excluded.count` },
        })
    } catch {
      // Analytics only: a failed flush loses counts, never payments.
    }
  }
}
