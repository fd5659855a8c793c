/** Replaces known secret values (API keys, tokens) with a marker in any text or JSON-like value. */
export class SecretScrubber {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string>) {
    // Longest first, so a secret containing another is replaced whole.
    this.secrets = [...new Set(secrets)].filter((secret) => secret.length >= 8).sort((left, right) => right.length - left.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  text(value: string): string {
    let result = value;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
    }
    return result;
  }

  /** A deep copy of `value` with every string scrubbed. */
  value<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return this.visit(value) as T;
  }

  private visit(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.visit(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.visit(item)]));
    }
    return value;
  }
}
