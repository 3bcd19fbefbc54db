import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYSMITH_ENV_NAMES, keysmithOptionsFrom } from '../../lib/cli/keysmith-options-source.js';
import { CliError } from '../../lib/cli/cli-error.js';
import { resolveKeysmithOptions } from '../../lib/index.js';

describe('the KEYSMITH_* environment variables of the CLI, from the option table', () => {
  it('are the options an operator sets per deployment, named KEYSMITH_<OPTION_IN_SNAKE_CASE>', () => {
    expect(KEYSMITH_ENV_NAMES).toEqual([
      'KEYSMITH_TOKEN_PREFIX',
      'KEYSMITH_SECRET_LENGTH',
      'KEYSMITH_DEFAULT_EXPIRY_DAYS',
      'KEYSMITH_MAX_EXPIRY_DAYS',
      'KEYSMITH_HASHER',
      'KEYSMITH_BCRYPT_ROUNDS',
      'KEYSMITH_PBKDF2_ITERATIONS',
      'KEYSMITH_SHA256_PEPPER',
      'KEYSMITH_AVAILABLE_SCOPES',
      'KEYSMITH_DEFAULT_SCOPES',
      'KEYSMITH_MAX_METADATA_BYTES',
      'KEYSMITH_REDIS',
    ]);
  });

  it('are all named in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(KEYSMITH_ENV_NAMES.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('are parsed by kind and laid over the exported options, which resolve', () => {
    const env = {
      KEYSMITH_TOKEN_PREFIX: 'ops',
      KEYSMITH_SECRET_LENGTH: '40',
      KEYSMITH_DEFAULT_EXPIRY_DAYS: 'never',
      KEYSMITH_HASHER: 'sha256',
      KEYSMITH_BCRYPT_ROUNDS: '4',
      KEYSMITH_PBKDF2_ITERATIONS: '2000',
      KEYSMITH_SHA256_PEPPER: 'pepper',
      KEYSMITH_AVAILABLE_SCOPES: 'deploy, read',
      KEYSMITH_DEFAULT_SCOPES: 'read',
      KEYSMITH_REDIS: 'redis://127.0.0.1:6379',
    };
    const options = keysmithOptionsFrom({ tokenPrefix: 'app', cacheTtlSeconds: 5 }, env);
    expect(options).toEqual({
      tokenPrefix: 'ops',
      secretLength: 40,
      defaultExpiryDays: null,
      hasher: 'sha256',
      bcryptRounds: 4,
      pbkdf2Iterations: 2_000,
      sha256Pepper: 'pepper',
      availableScopes: ['deploy', 'read'],
      defaultScopes: ['read'],
      redis: 'redis://127.0.0.1:6379',
      cacheTtlSeconds: 5,
    });
    expect(() => resolveKeysmithOptions(options)).not.toThrow();
  });

  it('take a number of days, and leave the export alone when empty', () => {
    expect(keysmithOptionsFrom({ defaultExpiryDays: 7 }, { KEYSMITH_DEFAULT_EXPIRY_DAYS: '30' })).toEqual({ defaultExpiryDays: 30 });
    expect(keysmithOptionsFrom({ tokenPrefix: 'app' }, { KEYSMITH_TOKEN_PREFIX: '' })).toEqual({ tokenPrefix: 'app' });
  });

  it('refuse a number that is none, naming the variable', () => {
    expect(() => keysmithOptionsFrom(undefined, { KEYSMITH_SECRET_LENGTH: 'long' })).toThrow(
      new CliError('KEYSMITH_SECRET_LENGTH must be a number; got "long".'),
    );
  });
});
