import { describe, expect, it } from 'vitest';
import {
  KeysmithConfigurationError,
  KeysmithValidationError,
  resolveKeysmithOptions,
  type KeysmithModuleOptions,
} from '../../lib/index.js';
import { expiryWithinLimit, lifetimeLimit } from '../../lib/tokens/lifetime-policy.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const inDays = (days: number) => new Date(NOW + days * DAY_MS);

describe('maxExpiryDays and maxExpiryDaysByScope', () => {
  const options = resolveKeysmithOptions({
    availableScopes: ['read', 'keysmith:admin', 'billing'],
    maxExpiryDays: 90,
    maxExpiryDaysByScope: { 'keysmith:admin': 30, billing: 60 },
  });

  it('take the strictest limit of the token: maxExpiryDays, then that of each scope it holds', () => {
    expect(lifetimeLimit(['read'], options)).toEqual({ days: 90, setBy: 'maxExpiryDays' });
    expect(lifetimeLimit(['billing', 'keysmith:admin'], options)).toEqual({ days: 30, setBy: "maxExpiryDaysByScope['keysmith:admin']" });
    expect(lifetimeLimit(['read'], resolveKeysmithOptions({ maxExpiryDaysByScope: { admin: 7 } }))).toBeNull();
  });

  it('hold a wildcard to the limit of every scope it grants', () => {
    const wild = resolveKeysmithOptions({
      availableScopes: ['read', 'keysmith:*', '*'],
      maxExpiryDaysByScope: { 'keysmith:admin': 30 },
    });
    expect(lifetimeLimit(['keysmith:*'], wild)).toEqual({ days: 30, setBy: "maxExpiryDaysByScope['keysmith:admin']" });
    expect(lifetimeLimit(['*'], wild)).toEqual({ days: 30, setBy: "maxExpiryDaysByScope['keysmith:admin']" });
    expect(lifetimeLimit(['read'], wild)).toBeNull();
    expect(() => expiryWithinLimit(null, ['keysmith:*'], wild, NOW)).toThrow(KeysmithValidationError);
  });

  it('accept an expiry within the limit, and shorten the default expiry to it', () => {
    expect(expiryWithinLimit(inDays(90), ['read'], options, NOW)).toEqual(inDays(90));
    expect(expiryWithinLimit(inDays(29), ['keysmith:admin'], options, NOW)).toEqual(inDays(29));
    expect(expiryWithinLimit(undefined, ['read'], options, NOW)).toEqual(inDays(90));
    expect(expiryWithinLimit(undefined, ['keysmith:admin'], options, NOW)).toEqual(inDays(30));
    const neverByDefault = resolveKeysmithOptions({ defaultExpiryDays: null, maxExpiryDays: 10 });
    expect(expiryWithinLimit(undefined, [], neverByDefault, NOW)).toEqual(inDays(10));
  });

  it('refuse a later expiry, or none, naming expiresAt and the limit', () => {
    expect(() => expiryWithinLimit(inDays(31), ['read', 'keysmith:admin'], options, NOW)).toThrow(
      new KeysmithValidationError(
        "expiresAt 2026-07-02T00:00:00.000Z is past the limit of 30 days (maxExpiryDaysByScope['keysmith:admin']); the latest allowed is 2026-07-01T00:00:00.000Z.",
        'expiresAt',
      ),
    );
    expect(() => expiryWithinLimit(null, ['read'], options, NOW)).toThrow(
      new KeysmithValidationError(
        'expiresAt: a token must expire within 90 days (maxExpiryDays); it cannot be made to never expire.',
        'expiresAt',
      ),
    );
    expect(() => expiryWithinLimit(new Date('nope'), [], options, NOW)).toThrow(KeysmithValidationError);
  });

  it('without a limit, take any expiry and none', () => {
    const open = resolveKeysmithOptions({});
    expect(expiryWithinLimit(null, ['keysmith:admin'], open, NOW)).toBeNull();
    expect(expiryWithinLimit(inDays(5_000), [], open, NOW)).toEqual(inDays(5_000));
  });

  it.each<[KeysmithModuleOptions, string]>([
    [{ maxExpiryDays: 0 }, 'maxExpiryDays'],
    [{ maxExpiryDays: -3 }, 'maxExpiryDays'],
    [{ maxExpiryDays: '30' as never }, 'maxExpiryDays'],
    [{ maxExpiryDaysByScope: [] as never }, 'maxExpiryDaysByScope'],
    [{ maxExpiryDaysByScope: { 'keysmith:admin': 0 } }, "maxExpiryDaysByScope['keysmith:admin']"],
    [{ availableScopes: ['read'], maxExpiryDaysByScope: { raed: 5 } }, "maxExpiryDaysByScope['raed']"],
  ])('refuse %j at startup, naming %s', (given, option) => {
    expect(() => resolveKeysmithOptions(given)).toThrow(KeysmithConfigurationError);
    expect(() => resolveKeysmithOptions(given)).toThrow(`"${option}"`);
  });
});
