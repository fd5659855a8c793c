export interface ExpiringCacheOptions<Value> {
  /** How long an entry is served after it was stored. */
  ttlMs: number;
  /** Most entries kept; the oldest go first. */
  maxEntries: number;
  /** Most total size kept (as `sizeOf` measures it); the oldest go first. An entry larger than this is not kept. */
  maxSize: number;
  sizeOf: (value: Value) => number;
  /** The clock; default Date.now. */
  now?: () => number;
}

interface Entry<Value> {
  value: Value;
  size: number;
  storedAt: number;
}

/** A small in-memory cache whose entries expire `ttlMs` after they were stored, bounded in count and size. */
export class ExpiringCache<Value> {
  private readonly entries = new Map<string, Entry<Value>>();
  private totalSize = 0;
  private readonly now: () => number;

  constructor(private readonly options: ExpiringCacheOptions<Value>) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value stored under `key`, unless it has expired (then it is dropped). */
  get(key: string): Value | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.storedAt >= this.options.ttlMs) {
      this.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: Value): void {
    this.delete(key);
    const size = this.options.sizeOf(value);
    if (size > this.options.maxSize) return;
    this.entries.set(key, { value, size, storedAt: this.now() });
    this.totalSize += size;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries && this.totalSize <= this.options.maxSize) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalSize -= entry.size;
  }
}
