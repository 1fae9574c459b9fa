// A map that keeps at most `limit` entries, forgetting the least recently used first: for per-process caches of
// facts that never change (a signer's public key, a channel's parties), where a miss only costs a slower path.

export class RecentlyUsed<Value> {
  readonly #entries = new Map<string, Value>()
  constructor(readonly limit: number) {}

  get(key: string): Value | undefined {
    const found = this.#entries.get(key)
    if (found !== undefined) {
      // Re-inserted, so Map's insertion order is the order of use.
      this.#entries.delete(key)
      this.#entries.set(key, found)
    }
    return found
  }

  set(key: string, value: Value): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    while (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!)
  }

  get size(): number {
    return this.#entries.size
  }
}
