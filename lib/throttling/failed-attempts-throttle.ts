/** One verification that a client started for a prefix: it ends as a success or a failure. */
export interface VerificationAttempt {
  succeeded(): void;
  failed(): void;
}

/** Counts wrong secrets per client address and prefix (`failedAttemptsLimit`), in this process or in Redis. */
export interface FailedAttempts {
  /** Whether this address is blocked on this prefix; may throw `AttemptsExceededError`. */
  isBlocked(clientIp: string | null, prefix: string): boolean | Promise<boolean>;
  /** Starts an attempt, or `null` when this address has reached the limit for this prefix; may throw `AttemptsExceededError`. */
  begin(clientIp: string | null, prefix: string): VerificationAttempt | null | Promise<VerificationAttempt | null>;
}

interface Window {
  failures: number;
  /** Verifications started and not ended yet: they count against the limit until they end. */
  running: number;
  endsAt: number;
}

// Each entry is a few dozen bytes; the caps keep a flood of made-up prefixes from growing memory.
const MAX_COUNTING = 100_000;
const MAX_BLOCKED = 100_000;

export const NOT_COUNTED: VerificationAttempt = { succeeded: () => undefined, failed: () => undefined };

/**
 * Counts failed secrets per client address and prefix. Once a pair reaches the limit within the
 * window, that address's further unproven attempts on that prefix are refused before any
 * hashing, so a known prefix cannot be used to burn CPU; the owner of the token, from another
 * address or with a secret already proven (cached), is not locked out.
 *
 * An attempt counts from the moment its verification starts, not when its hash ends, so a burst
 * of concurrent guesses cannot all get past the limit. Blocked pairs are kept apart from pairs
 * still counting: a flood of new pairs evicts only counting ones, never a block.
 */
export class FailedAttemptsThrottle implements FailedAttempts {
  private readonly counting = new Map<string, Window>();
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  isBlocked(clientIp: string | null, prefix: string): boolean {
    if (this.limit === 0 || this.blocked.size === 0) return false;
    const key = keyOf(clientIp, prefix);
    const endsAt = this.blocked.get(key);
    if (endsAt === undefined) return false;
    if (endsAt > Date.now()) return true;
    this.blocked.delete(key);
    return false;
  }

  /**
   * Starts an attempt, or returns `null` when this address has reached the limit for this prefix,
   * counting the attempts still running.
   */
  begin(clientIp: string | null, prefix: string): VerificationAttempt | null {
    if (this.limit === 0) return NOT_COUNTED;
    if (this.isBlocked(clientIp, prefix)) return null;
    const key = keyOf(clientIp, prefix);
    const window = this.windowOf(key);
    if (window.failures + window.running >= this.limit) return null;
    window.running++;
    let ended = false;
    const end = (failed: boolean) => {
      if (ended) return;
      ended = true;
      window.running--;
      if (failed) this.recordFailure(key, window);
    };
    return { succeeded: () => end(false), failed: () => end(true) };
  }

  private windowOf(key: string): Window {
    const now = Date.now();
    const window = this.counting.get(key);
    if (window && (window.endsAt > now || window.running > 0)) return window;
    const fresh: Window = { failures: 0, running: 0, endsAt: now + this.windowMs };
    this.counting.delete(key);
    this.counting.set(key, fresh);
    if (this.counting.size > MAX_COUNTING) this.counting.delete(this.counting.keys().next().value!);
    return fresh;
  }

  private recordFailure(key: string, window: Window): void {
    window.failures++;
    if (window.failures < this.limit) return;
    this.counting.delete(key);
    this.blocked.delete(key);
    this.blocked.set(key, Math.max(window.endsAt, Date.now()));
    if (this.blocked.size > MAX_BLOCKED) this.blocked.delete(this.blocked.keys().next().value!);
  }
}

export function keyOf(clientIp: string | null, prefix: string): string {
  return `${clientIp ?? '-'} ${prefix}`;
}
