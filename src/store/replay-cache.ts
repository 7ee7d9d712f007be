/**
 * Remembers values (UsernameToken nonces) until they expire, so a second use inside the window
 * is detected. A shared deployment needs an implementation that all nodes share (Redis or SQL).
 */
export interface ReplayCache {
  /** Records `key` until `expiresAtMs`; returns false when it was already recorded and unexpired. */
  addIfAbsent(key: string, expiresAtMs: number): Promise<boolean>;
}

/**
 * In-process replay cache for the embedded single-process server. Entries are swept as they
 * expire; `maxEntries` bounds memory under a flood of distinct nonces.
 */
export class MemoryReplayCache implements ReplayCache {
  private readonly entries = new Map<string, number>();
  private lastSweepMs = 0;

  constructor(private readonly maxEntries = 1_000_000) {}

  async addIfAbsent(key: string, expiresAtMs: number): Promise<boolean> {
    const now = Date.now();
    this.sweep(now);
    const existing = this.entries.get(key);
    if (existing !== undefined && existing > now) return false;
    if (this.entries.size >= this.maxEntries) {
      // A full cache must not let a replay through, so new values are refused until entries expire.
      throw new Error('replay cache is full');
    }
    this.entries.set(key, expiresAtMs);
    return true;
  }

  private sweep(now: number): void {
    if (now - this.lastSweepMs < 1000) return;
    this.lastSweepMs = now;
    for (const [key, expires] of this.entries) if (expires <= now) this.entries.delete(key);
  }
}
