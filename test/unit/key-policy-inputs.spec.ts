import { describe, expect, it } from 'vitest';
import { KeysmithConfigurationError, KeysmithScopes, Token, resolveKeysmithOptions } from '../../lib/index.js';
import { allowlistEntryProblem, isAllowedIp } from '../../lib/tokens/ip-allowlist.js';
import { metadataProblem } from '../../lib/tokens/metadata.js';
import { grantsScope, isAvailable, wildcardProblem } from '../../lib/tokens/scopes.js';
import { validAllowedIps, validGraceSeconds, validScopes } from '../../lib/tokens/token-input.js';

describe('scopes: wildcards', () => {
  it.each([
    ['notes:*', 'notes:read', true],
    ['notes:*', 'notes:drafts:read', true],
    ['notes:*', 'notes', false],
    ['notes:*', 'notesx:read', false],
    ['*', 'anything:at:all', true],
    ['notes:read', 'notes:write', false],
    ['notes:read', 'notes:read', true],
  ] as const)('%s grants %s: %s', (granted, required, expected) => {
    expect(grantsScope(granted, required)).toBe(expected);
    expect(Object.assign(new Token(), { scopes: [granted] }).hasScope(required)).toBe(expected);
  });

  it('refuses "*" unless availableScopes lists it, and malformed wildcards always', () => {
    expect(wildcardProblem('*', [])).toMatch(/list "\*" in availableScopes/);
    expect(wildcardProblem('*', ['*'])).toBeNull();
    expect(wildcardProblem('notes:*', [])).toBeNull();
    for (const bad of ['notes*', '*:read', 'no*tes:read', 'notes:*:x', ':*']) {
      expect(wildcardProblem(bad, []), bad).toMatch(/not a valid wildcard/);
    }
  });

  it('with availableScopes, takes a listed scope, one a listed wildcard covers, and a wildcard that covers a listed scope', () => {
    const available = ['notes:read', 'billing:*'];
    expect(isAvailable('notes:read', available)).toBe(true);
    expect(isAvailable('billing:export', available)).toBe(true);
    expect(isAvailable('notes:*', available)).toBe(true);
    expect(isAvailable('notes:write', available)).toBe(false);
    expect(isAvailable('reports:*', available)).toBe(false);
    expect(isAvailable('anything', [])).toBe(true);
    expect(validScopes(['notes:read', 'notes:read'], available)).toEqual(['notes:read']);
    expect(() => validScopes(['notes:write', 'reports:*'], available)).toThrow(
      'Unknown scope "notes:write", "reports:*"; available scopes: notes:read, billing:*.',
    );
  });
});

describe('IP allowlists', () => {
  it.each(['203.0.113.7', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '::1', '::ffff:10.0.0.1', 'fe80::1/64'])('takes %s', (entry) => {
    expect(allowlistEntryProblem(entry)).toBeNull();
  });

  it.each(['10.1', '0x0a.0.0.1', '010.0.0.1/8x', '10.0.0.0/33', '10.0.0.0/-1', '2001:db8::/129', 'fe80::1%eth0', 'example.com', ''])(
    'refuses %j',
    (entry) => {
      expect(allowlistEntryProblem(entry)).toContain(`"${entry}"`);
    },
  );

  it('matches addresses and ranges of either family, IPv4-mapped IPv6 as IPv4, and never an unknown address', () => {
    const list = ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'];
    expect(isAllowedIp('10.200.3.4', list)).toBe(true);
    expect(isAllowedIp('192.0.2.7', list)).toBe(true);
    expect(isAllowedIp('192.0.2.8', list)).toBe(false);
    expect(isAllowedIp('::ffff:10.1.2.3', list)).toBe(true);
    expect(isAllowedIp('2001:db8:1::5', list)).toBe(true);
    expect(isAllowedIp('2001:db9::5', list)).toBe(false);
    expect(isAllowedIp(null, list)).toBe(false);
    expect(isAllowedIp('not-an-address', list)).toBe(false);
    expect(isAllowedIp('10.0.0.1', ['::ffff:10.0.0.0/104'])).toBe(true);
  });

  it('stores a trimmed list, each entry once; null for none', () => {
    expect(validAllowedIps([' 10.0.0.1 ', '10.0.0.1', '::1'])).toEqual(['10.0.0.1', '::1']);
    expect(validAllowedIps([])).toBeNull();
    expect(validAllowedIps(null)).toBeNull();
    expect(() => validAllowedIps('10.0.0.1')).toThrow(/allowedIps must be an array/);
    expect(() => validAllowedIps(Array(101).fill('10.0.0.1'))).toThrow(/the limit is 100/);
  });
});

describe('metadata', () => {
  it('takes a plain JSON object within the limit, counting UTF-8 bytes', () => {
    expect(metadataProblem({ a: [1, 'x', null, { b: true }] }, 100)).toBeNull();
    expect(metadataProblem({ name: 'é'.repeat(10) }, 20)).toMatch(/31 bytes as JSON; the limit \(maxMetadataBytes\) is 20/);
  });

  it('names the value JSON would not keep, at any depth', () => {
    expect(metadataProblem({ a: { b: [undefined] } }, 100)).toMatch(/metadata\.a\.b\[0\] is undefined/);
    expect(metadataProblem({ big: 10n }, 100)).toMatch(/cannot be written as JSON/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(metadataProblem(cyclic, 100)).toMatch(/cannot be written as JSON/);
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(() => metadataProblem({ deep }, 1_000_000)).not.toThrow();
  });
});

describe('graceSeconds', () => {
  it('takes whole seconds from 0 to a year, and names the field otherwise', () => {
    expect(validGraceSeconds(0)).toBe(0);
    expect(validGraceSeconds(31_536_000)).toBe(31_536_000);
    for (const bad of [-1, 0.5, 31_536_001, Number.POSITIVE_INFINITY, '10', null]) {
      expect(() => validGraceSeconds(bad), String(bad)).toThrow(expect.objectContaining({ field: 'graceSeconds' }));
    }
  });
});

describe('maxMetadataBytes', () => {
  it('defaults to 4096 and refuses a value outside 1 to 65,535, naming the option', () => {
    expect(resolveKeysmithOptions().maxMetadataBytes).toBe(4096);
    for (const bad of [0, 65_536, 1.5, '4096']) {
      expect(() => resolveKeysmithOptions({ maxMetadataBytes: bad as number }), String(bad)).toThrow(KeysmithConfigurationError);
      expect(() => resolveKeysmithOptions({ maxMetadataBytes: bad as number })).toThrow(/"maxMetadataBytes"/);
    }
  });
});

describe('@KeysmithScopes({ anyOf })', () => {
  it('refuses an empty list at once', () => {
    expect(() => KeysmithScopes({ anyOf: [] })).toThrow(/non-empty array/);
  });
});
