import { afterEach, describe, expect, it, vi } from 'vitest';
import { FailedAttemptsThrottle } from '../../lib/throttling/failed-attempts-throttle.js';

describe('FailedAttemptsThrottle', () => {
  afterEach(() => vi.useRealTimers());

  it('blocks an IP on a prefix once it reached the limit of failures', () => {
    const throttle = new FailedAttemptsThrottle(3, 60_000);
    for (let i = 0; i < 2; i++) throttle.recordFailure('10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
    throttle.recordFailure('10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(true);
  });

  it('counts each IP and each prefix apart, so an attacker cannot lock out the owner elsewhere', () => {
    const throttle = new FailedAttemptsThrottle(1, 60_000);
    throttle.recordFailure('10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(true);
    expect(throttle.isBlocked('10.0.0.2', 'tok_AAAAAAAA')).toBe(false);
    expect(throttle.isBlocked('10.0.0.1', 'tok_BBBBBBBB')).toBe(false);
  });

  it('lets the IP try again once the window has passed', () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const throttle = new FailedAttemptsThrottle(1, 60_000);
    throttle.recordFailure('10.0.0.1', 'tok_AAAAAAAA');
    vi.setSystemTime(5_000_000 + 59_999);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(true);
    vi.setSystemTime(5_000_000 + 60_000);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
  });

  it('never blocks with a limit of 0', () => {
    const throttle = new FailedAttemptsThrottle(0, 60_000);
    for (let i = 0; i < 100; i++) throttle.recordFailure('10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
  });

  it('is empty until a failure is counted, and again once its window has passed', () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const throttle = new FailedAttemptsThrottle(3, 60_000);
    expect(throttle.isEmpty).toBe(true);
    throttle.recordFailure('10.0.0.1', 'tok_AAAAAAAA');
    expect(throttle.isEmpty).toBe(false);
    vi.setSystemTime(5_000_000 + 60_000);
    expect(throttle.isBlocked('10.0.0.1', 'tok_AAAAAAAA')).toBe(false);
    expect(throttle.isEmpty).toBe(true);
  });
});
