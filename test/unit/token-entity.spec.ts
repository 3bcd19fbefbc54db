import { describe, expect, it } from 'vitest';
import { Token } from '../../lib/index.js';

const token = (fields: Partial<Token>): Token => Object.assign(new Token(), { revoked: false, purged: false, expiresAt: null, ...fields });

describe('Token.state', () => {
  it('names the lifecycle: purged before revoked before expired', () => {
    const past = new Date(Date.now() - 1_000);
    expect(token({}).state).toBe('active');
    expect(token({ expiresAt: new Date(Date.now() + 60_000) }).state).toBe('active');
    expect(token({ expiresAt: past }).state).toBe('expired');
    expect(token({ revoked: true, expiresAt: past }).state).toBe('revoked');
    expect(token({ revoked: true, purged: true, expiresAt: past }).state).toBe('purged');
  });
});
