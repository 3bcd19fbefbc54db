interface Window {
  failures: number;
  endsAt: number;
}

// Each entry is a few dozen bytes; the cap keeps a flood of made-up prefixes from growing memory.
const MAX_TRACKED = 100_000;

/**
 * Counts failed secrets per client IP and prefix. Once a pair reaches the limit within the
 * window, that IP's further attempts on that prefix are refused before any hashing, so a known
 * prefix cannot be used to burn CPU; the owner of the token, from another IP, is not locked out.
 */
export class FailedAttemptsThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** No failure counted: nothing is blocked, and the client's address need not be looked up. */
  get isEmpty(): boolean {
    return this.windows.size === 0;
  }

  isBlocked(clientIp: string | null, prefix: string): boolean {
    if (this.limit === 0) return false;
    const key = keyOf(clientIp, prefix);
    const window = this.windows.get(key);
    if (!window) return false;
    if (window.endsAt <= Date.now()) {
      this.windows.delete(key);
      return false;
    }
    return window.failures >= this.limit;
  }

  recordFailure(clientIp: string | null, prefix: string): void {
    if (this.limit === 0) return;
    const key = keyOf(clientIp, prefix);
    const now = Date.now();
    const window = this.windows.get(key);
    if (window && window.endsAt > now) {
      window.failures++;
      return;
    }
    this.windows.delete(key);
    this.windows.set(key, { failures: 1, endsAt: now + this.windowMs });
    if (this.windows.size > MAX_TRACKED) this.windows.delete(this.windows.keys().next().value as string);
  }
}

function keyOf(clientIp: string | null, prefix: string): string {
  return `${clientIp ?? '-'} ${prefix}`;
}
