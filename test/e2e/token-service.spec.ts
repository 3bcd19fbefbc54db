import { crc32 } from 'node:zlib';
import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import bcrypt from 'bcrypt';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExpiredTokenError,
  InvalidTokenError,
  KeysmithValidationError,
  RevokedTokenError,
  Token,
  TokenAuthError,
  type InvalidTokenReason,
} from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const TOKEN_FORMAT = /^(tok_[A-Za-z0-9]{8}):([A-Za-z0-9]{32})([0-9]{6})$/;

function withChecksum(body: string): string {
  return body + String(crc32(body) % 1_000_000).padStart(6, '0');
}

function secretOf(rawToken: string): string {
  return TOKEN_FORMAT.exec(rawToken)![2];
}

function storedToken(dataSource: DataSource, id: string): Promise<Token> {
  return dataSource.getRepository(Token).findOneByOrFail({ id });
}

async function storedRow(dataSource: DataSource, id: string): Promise<Record<string, unknown>> {
  const row = await dataSource
    .createQueryBuilder()
    .select('*')
    .from('keysmith_token', 'token')
    .where('token.id = :id', { id })
    .getRawOne<Record<string, unknown>>();
  expect(row).toBeDefined();
  return row!;
}

async function authFailure(app: TestApp, rawToken: string): Promise<TokenAuthError> {
  const error = await app.tokens.authenticate(rawToken).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TokenAuthError);
  expect(error).toBeInstanceOf(UnauthorizedException);
  return error as TokenAuthError;
}

async function invalidReason(app: TestApp, rawToken: string): Promise<InvalidTokenReason> {
  const error = await authFailure(app, rawToken);
  expect(error).toBeInstanceOf(InvalidTokenError);
  return (error as InvalidTokenError).reason;
}

describe.each(databaseVariants())('TokenService.create and authenticate on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'token-service',
      variant,
      keysmith: { availableScopes: ['read', 'write', 'admin'], defaultScopes: ['read'] },
    });
  });
  afterAll(() => app?.close());

  describe(`create (${variantName(variant)})`, () => {
    it('returns the token and a raw token in the public format whose prefix is the token prefix', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'format' });
      const match = TOKEN_FORMAT.exec(rawToken);
      expect(match).not.toBeNull();
      const [, prefix, secret] = match!;
      expect(prefix).toBe(token.prefix);
      expect(withChecksum(`${prefix}:${secret}`)).toBe(rawToken);
      expect(token).toBeInstanceOf(Token);
      expect(token.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(await app.tokens.findByPrefix(token.prefix)).toMatchObject({ id: token.id });
    });

    it('stores only a bcrypt hash of the secret: neither the secret nor the raw token is in the row', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'hashed', description: 'stored as a hash' });
      const secret = secretOf(rawToken);
      const row = await storedRow(app.dataSource, token.id);
      const key = String(row.key);
      expect(key.startsWith('bcrypt$')).toBe(true);
      expect(await bcrypt.compare(secret, key.slice('bcrypt$'.length))).toBe(true);
      const everything = JSON.stringify(Object.values(row));
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(rawToken);
      expect(row.prefix).toBe(token.prefix);
    });

    it('takes the owner as an object with id, as an id, or as userId, and records createdBy as createdById', async () => {
      const asObject = await app.tokens.create({ name: 'owner-object', user: { id: 42 }, createdBy: { id: 7 } });
      const asId = await app.tokens.create({ name: 'owner-id', user: 'user-abc', createdBy: 'admin-1' });
      const asUserId = await app.tokens.create({ name: 'owner-user-id', userId: 43 });
      const ownerless = await app.tokens.create({ name: 'ownerless' });
      expect(await storedToken(app.dataSource, asObject.token.id)).toMatchObject({ userId: '42', createdById: '7' });
      expect(await storedToken(app.dataSource, asId.token.id)).toMatchObject({ userId: 'user-abc', createdById: 'admin-1' });
      expect(await storedToken(app.dataSource, asUserId.token.id)).toMatchObject({ userId: '43', createdById: null });
      expect(await storedToken(app.dataSource, ownerless.token.id)).toMatchObject({ userId: null, createdById: null });
    });

    it('expires a token defaultExpiryDays (90) ahead when expiresAt is omitted', async () => {
      const before = Date.now();
      const { token } = await app.tokens.create({ name: 'default-expiry' });
      const after = Date.now();
      const stored = await storedToken(app.dataSource, token.id);
      expect(stored.expiresAt).toBeInstanceOf(Date);
      expect(stored.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 90 * DAY_MS);
      expect(stored.expiresAt!.getTime()).toBeLessThanOrEqual(after + 90 * DAY_MS);
      expect(stored.expiresAt!.getTime()).toBe(token.expiresAt!.getTime());
    });

    it('keeps an explicit expiresAt to the millisecond', async () => {
      const expiresAt = new Date(Date.now() + 3 * DAY_MS + 123);
      const { token } = await app.tokens.create({ name: 'explicit-expiry', expiresAt });
      expect((await storedToken(app.dataSource, token.id)).expiresAt?.getTime()).toBe(expiresAt.getTime());
    });

    it('never expires a token created with expiresAt null', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'forever', expiresAt: null });
      const stored = await storedToken(app.dataSource, token.id);
      expect(stored.expiresAt).toBeNull();
      expect(stored.isExpired).toBe(false);
      expect(stored.isActive).toBe(true);
      expect((await app.tokens.authenticate(rawToken)).id).toBe(token.id);
    });

    it('accepts a date in the past: the token is born expired', async () => {
      const expiresAt = new Date(Date.now() - DAY_MS);
      const { token, rawToken } = await app.tokens.create({ name: 'born-expired', expiresAt });
      const stored = await storedToken(app.dataSource, token.id);
      expect(stored.isExpired).toBe(true);
      expect(stored.isActive).toBe(false);
      const error = await authFailure(app, rawToken);
      expect(error).toBeInstanceOf(ExpiredTokenError);
    });

    it('gives a token without scopes the defaultScopes, and keeps given scopes', async () => {
      const defaulted = await app.tokens.create({ name: 'default-scopes' });
      const given = await app.tokens.create({ name: 'given-scopes', scopes: ['write', 'admin'] });
      const none = await app.tokens.create({ name: 'no-scopes', scopes: [] });
      expect(defaulted.token.scopes).toEqual(['read']);
      expect((await storedToken(app.dataSource, defaulted.token.id)).scopes).toEqual(['read']);
      expect((await storedToken(app.dataSource, given.token.id)).scopes).toEqual(['write', 'admin']);
      expect((await storedToken(app.dataSource, none.token.id)).scopes).toEqual([]);
    });

    it('refuses a scope outside availableScopes with a KeysmithValidationError naming it, and stores nothing', async () => {
      const attempt = app.tokens.create({ name: 'bad-scope', scopes: ['read', 'delete'] });
      await expect(attempt).rejects.toBeInstanceOf(KeysmithValidationError);
      await expect(attempt).rejects.toBeInstanceOf(BadRequestException);
      await expect(attempt).rejects.toThrow(/delete/);
      const error = (await attempt.catch((thrown: unknown) => thrown)) as KeysmithValidationError;
      expect(error.getStatus()).toBe(400);
      expect(await app.dataSource.getRepository(Token).countBy({ name: 'bad-scope' })).toBe(0);
    });

    it('accepts a name of 128 characters and refuses one of 129', async () => {
      const longest = 'n'.repeat(128);
      const { token } = await app.tokens.create({ name: longest });
      expect((await storedToken(app.dataSource, token.id)).name).toBe(longest);

      const attempt = app.tokens.create({ name: 'n'.repeat(129) });
      await expect(attempt).rejects.toBeInstanceOf(KeysmithValidationError);
      await expect(attempt).rejects.toThrow(/name/i);
      await expect(attempt).rejects.toThrow(/128/);
      expect(await app.dataSource.getRepository(Token).countBy({ name: 'n'.repeat(129) })).toBe(0);
    });

    it('creates user tokens by default and system tokens on request', async () => {
      const user = await app.tokens.create({ name: 'user-type', user: 5 });
      const system = await app.tokens.create({ name: 'system-type', tokenType: 'system' });
      expect((await storedToken(app.dataSource, user.token.id)).tokenType).toBe('user');
      expect(await storedToken(app.dataSource, system.token.id)).toMatchObject({ tokenType: 'system', userId: null });
      expect((await app.tokens.authenticate(system.rawToken)).tokenType).toBe('system');
    });

    it('writes a `created` audit row with extra.actor_id when createdBy is given', async () => {
      const withActor = await app.tokens.create({ name: 'audited', createdBy: { id: 'admin-9' } });
      const withoutActor = await app.tokens.create({ name: 'audited-anonymously' });
      const rows = await app.auditLog.list({ tokenId: withActor.token.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'created',
        tokenId: withActor.token.id,
        extra: { actor_id: 'admin-9' },
        path: null,
        method: null,
        statusCode: null,
      });
      const anonymous = await app.auditLog.list({ tokenId: withoutActor.token.id });
      expect(anonymous.map((row) => [row.action, row.extra])).toEqual([['created', {}]]);
    });
  });

  describe(`authenticate (${variantName(variant)})`, () => {
    it('returns the token and records lastUsedAt, also in the database', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'authenticates', user: { id: 11 }, scopes: ['write'] });
      expect((await storedToken(app.dataSource, token.id)).lastUsedAt).toBeNull();
      const before = Date.now();
      const authenticated = await app.tokens.authenticate(rawToken);
      const after = Date.now();
      expect(authenticated).toBeInstanceOf(Token);
      expect(authenticated).toMatchObject({ id: token.id, prefix: token.prefix, userId: '11', scopes: ['write'] });
      expect(authenticated.lastUsedAt).toBeInstanceOf(Date);
      expect(authenticated.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before);
      expect(authenticated.lastUsedAt!.getTime()).toBeLessThanOrEqual(after);
      await app.tokens.flushLastUsed();
      const stored = await storedToken(app.dataSource, token.id);
      expect(stored.lastUsedAt?.getTime()).toBe(authenticated.lastUsedAt!.getTime());
    });

    it('writes lastUsedAt at most once per interval: later uses within it leave the stored time alone', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'used-often' });
      const first = await app.tokens.authenticate(rawToken);
      await app.tokens.flushLastUsed();
      const later = await app.tokens.authenticate(rawToken);
      await app.tokens.flushLastUsed();
      expect(later.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(first.lastUsedAt!.getTime());
      expect((await storedToken(app.dataSource, token.id)).lastUsedAt?.getTime()).toBe(first.lastUsedAt!.getTime());
    });

    it('rejects malformed tokens as InvalidTokenError "malformed"', async () => {
      const { rawToken } = await app.tokens.create({ name: 'malformed-source' });
      const malformed = [
        '',
        'garbage',
        `${rawToken}x`,
        `${rawToken} `,
        rawToken.replace(':', '-'),
        rawToken.slice(0, 20),
        `x${'a'.repeat(600)}`,
      ];
      for (const candidate of malformed) {
        expect(await invalidReason(app, candidate)).toBe('malformed');
      }
    });

    it('rejects a token whose checksum does not match as InvalidTokenError "checksum_mismatch"', async () => {
      const { rawToken } = await app.tokens.create({ name: 'checksum-source' });
      const lastDigit = Number(rawToken.at(-1));
      const tampered = rawToken.slice(0, -1) + String((lastDigit + 1) % 10);
      expect(await invalidReason(app, tampered)).toBe('checksum_mismatch');
      const secretChanged = rawToken.slice(0, 13) + (rawToken[13] === 'A' ? 'B' : 'A') + rawToken.slice(14);
      expect(await invalidReason(app, secretChanged)).toBe('checksum_mismatch');
    });

    it('rejects a well-formed token with an unknown prefix as InvalidTokenError "unknown_prefix"', async () => {
      expect(await invalidReason(app, withChecksum(`tok_Unknown0:${'s'.repeat(32)}`))).toBe('unknown_prefix');
      expect(await invalidReason(app, withChecksum(`other_Unknown0:${'s'.repeat(32)}`))).toBe('unknown_prefix');
    });

    it('rejects a known prefix with the wrong secret as InvalidTokenError "wrong_secret" and leaves lastUsedAt alone', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'wrong-secret' });
      const wrongSecret = secretOf(rawToken) === 'S'.repeat(32) ? 'T'.repeat(32) : 'S'.repeat(32);
      expect(await invalidReason(app, withChecksum(`${token.prefix}:${wrongSecret}`))).toBe('wrong_secret');
      expect((await storedToken(app.dataSource, token.id)).lastUsedAt).toBeNull();
    });

    it('rejects a revoked token with RevokedTokenError', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'revoked' });
      await app.tokens.revoke(token);
      const error = await authFailure(app, rawToken);
      expect(error).toBeInstanceOf(RevokedTokenError);
      expect(error.token?.id).toBe(token.id);
      expect((await storedToken(app.dataSource, token.id)).lastUsedAt).toBeNull();
    });

    it('rejects a purged token with RevokedTokenError', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'purged' });
      await app.tokens.purge(token.id);
      const error = await authFailure(app, rawToken);
      expect(error).toBeInstanceOf(RevokedTokenError);
      expect(error.message).toContain('purged');
    });

    it('rejects an expired token with ExpiredTokenError whose message names the expiry date', async () => {
      const expiresAt = new Date(Date.now() - 5 * 60 * 1000);
      const { token, rawToken } = await app.tokens.create({ name: 'expired', expiresAt });
      const error = await authFailure(app, rawToken);
      expect(error).toBeInstanceOf(ExpiredTokenError);
      expect(error.message).toContain(expiresAt.toISOString());
      expect(error.token?.id).toBe(token.id);
      expect((await storedToken(app.dataSource, token.id)).lastUsedAt).toBeNull();
    });

    it('gives every failure its code', async () => {
      const revoked = await app.tokens.create({ name: 'code-revoked' });
      await app.tokens.revoke(revoked.token.id);
      const expired = await app.tokens.create({ name: 'code-expired', expiresAt: new Date(Date.now() - DAY_MS) });
      expect((await authFailure(app, 'garbage')).code).toBe('invalid_token');
      expect((await authFailure(app, revoked.rawToken)).code).toBe('revoked_token');
      expect((await authFailure(app, expired.rawToken)).code).toBe('expired_token');
    });
  });
});
