// A short per-process cache of link rows: the unpaid 402 path is hot, and a database round trip
// per request dominated its cost. Edits (price, deactivation) reach every instance within the TTL.
import type { Link } from '@/lib/store/links'

const TTL_MS = 2_000
const MAX_ENTRIES = 10_000

type Entry = { link: Promise<Link | null>; at: number }

export class LinkCache {
  private entries = new Map<string, Entry>()

  constructor(private readonly ttlMs: number = TTL_MS) {}

  get(slug: string, load: (slug: string) => Promise<Link | null>, now: number = Date.now()): Promise<Link | null> {
    const key = slug.toLowerCase()
    const cached = this.entries.get(key)
    if (cached && now - cached.at < this.ttlMs) return cached.link
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear()
    const link = load(key)
    this.entries.set(key, { link, at: now })
    // A failed load is not remembered: the next request tries the database again.
    link.catch(() => this.entries.delete(key))
    return link
  }
}
