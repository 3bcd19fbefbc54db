import { afterEach, describe, expect, it, vi } from 'vitest';
import { FailedAttemptsThrottle } from '../../lib/throttling/failed-attempts-throttle.js';

const fail = (throttle: FailedAttemptsThrottle, ip: string, prefix: string, times = 1) => {
  for (let i = 0; i < times; i++) throttle.begin(ip, prefix)!.failed();
};

describe('FailedAttemptsThrottle', () => {
  afterEach(() => vi.useRealTimers());

  it('blocks an IP on a prefix once it reached the limit of failures', () => {
    const throttle = new FailedAttemptsThrottle(3, 60_000);
    fail(throttle, '10.0.0.1', 'tok_AAAAAAAA', 2);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
    fail(throttle, '10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(true);
    expect(throttle.begin('10.0.0.1', 'tok_AAAAAAAA')).toBeNull();
  });

  it('counts an attempt from its start: attempts still running count against the limit', () => {
    const throttle = new FailedAttemptsThrottle(3, 60_000);
    const running = [1, 2, 3].map(() => throttle.begin('10.0.0.1', 'tok_AAAAAAAA'));
    expect(running.every((attempt) => attempt !== null)).toBe(true);
    expect(throttle.begin('10.0.0.1', 'tok_AAAAAAAA')).toBeNull();
    running[0]!.succeeded();
    expect(throttle.begin('10.0.0.1', 'tok_AAAAAAAA')).not.toBeNull();
  });

  it('does not count an attempt that succeeded', () => {
    const throttle = new FailedAttemptsThrottle(2, 60_000);
    for (let i = 0; i < 10; i++) throttle.begin('10.0.0.1', 'tok_AAAAAAAA')!.succeeded();
    fail(throttle, '10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
  });

  it('counts each IP and each prefix apart, so an attacker cannot lock out the owner elsewhere', () => {
    const throttle = new FailedAttemptsThrottle(1, 60_000);
    fail(throttle, '10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(true);
    expect(throttle.isBlocked('10.0.0.2', 'tok_AAAAAAAA')).toBe(false);
    expect(throttle.isBlocked('10.0.0.1', 'tok_BBBBBBBB')).toBe(false);
  });

  it('lets the IP try again once the window has passed', () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const throttle = new FailedAttemptsThrottle(1, 60_000);
    fail(throttle, '10.0.0.1', 'tok_AAAAAAAA');
    vi.setSystemTime(5_000_000 + 59_999);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(true);
    vi.setSystemTime(5_000_000 + 60_000);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
    expect(throttle.begin('10.0.0.1', 'tok_AAAAAAAA')).not.toBeNull();
  });

  it('never blocks with a limit of 0', () => {
    const throttle = new FailedAttemptsThrottle(0, 60_000);
    fail(throttle, '10.0.0.1', 'tok_AAAAAAAA', 100);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
  });

  it('keeps a block however many new pairs flood in afterwards', () => {
    const throttle = new FailedAttemptsThrottle(2, 60_000);
    fail(throttle, '10.0.0.1', 'tok_AAAAAAAA', 2);
    for (let i = 0; i < 150_000; i++) fail(throttle, `10.1.${i >> 8}.${i & 255}`, `tok_${String(i).padStart(8, '0')}`);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(true);
  });
});
