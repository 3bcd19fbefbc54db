import { randomUUID } from 'node:crypto';
import { Controller, Inject, Post, Req } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidTokenError,
  KeysmithValidationError,
  RevokedTokenError,
  Token,
  TokenNotFoundError,
  TokenService,
  type TokenAuditLog,
} from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

@Controller('tokens')
class TokensController {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  @Post()
  async create(@Req() request: unknown) {
    const { token } = await this.tokens.create({ name: 'from-http', createdBy: 'admin-http', request });
    return { id: token.id };
  }
}

function expressLikeRequest(method: string, originalUrl: string) {
  return { method, originalUrl, url: originalUrl, ip: '203.0.113.9', headers: { 'user-agent': 'keysmith-admin/2.0' } };
}

function storedToken(dataSource: DataSource, id: string): Promise<Token> {
  return dataSource.getRepository(Token).findOneByOrFail({ id });
}

async function auditRows(app: TestApp, tokenId: string, action?: TokenAuditLog['action']): Promise<TokenAuditLog[]> {
  return app.auditLog.list({ tokenId, ...(action ? { action } : {}) });
}

describe.each(databaseVariants())('TokenService lifecycle on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'token-service-lifecycle', variant, controllers: [TokensController] });
  });
  afterAll(() => app?.close());

  describe(`rotate (${variantName(variant)})`, () => {
    it.each([
      ['the token', (token: Token) => token],
      ['its id', (token: Token) => token.id],
      ['its prefix', (token: Token) => token.prefix],
    ] as const)('rotates by %s: same prefix, old raw token fails at once, new one works', async (_, reference) => {
      const { token, rawToken } = await app.tokens.create({ name: 'rotating' });
      const rotated = await app.tokens.rotate(reference(token));
      expect(rotated).not.toBe(rawToken);
      expect(rotated.startsWith(`${token.prefix}:`)).toBe(true);
      expect(rotated).toMatch(/^tok_[A-Za-z0-9]{8}:[A-Za-z0-9]{32}[0-9]{6}$/);
      const oldFails = await app.tokens.authenticate(rawToken).catch((error: unknown) => error);
      expect(oldFails).toBeInstanceOf(InvalidTokenError);
      expect((oldFails as InvalidTokenError).reason).toBe('wrong_secret');
      expect((await app.tokens.authenticate(rotated)).id).toBe(token.id);
    });

    it('changes the stored hash and clears lastUsedAt', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'rotate-clears-last-used' });
      await app.tokens.authenticate(rawToken);
      await app.tokens.flushLastUsed();
      const used = await storedToken(app.dataSource, token.id);
      expect(used.lastUsedAt).toBeInstanceOf(Date);
      await app.tokens.rotate(token.id);
      const rotated = await storedToken(app.dataSource, token.id);
      expect(rotated.lastUsedAt).toBeNull();
      expect(rotated.key).not.toBe(used.key);
      expect(rotated.key.startsWith('bcrypt$')).toBe(true);
      expect(rotated).toMatchObject({ prefix: token.prefix, revoked: false, purged: false });
    });

    it('refuses to rotate a revoked or a purged token, which keeps its hash', async () => {
      const revoked = await app.tokens.create({ name: 'rotate-revoked' });
      const purged = await app.tokens.create({ name: 'rotate-purged' });
      await app.tokens.revoke(revoked.token);
      await app.tokens.purge(purged.token);
      const revokedKey = (await storedToken(app.dataSource, revoked.token.id)).key;

      await expect(app.tokens.rotate(revoked.token.id)).rejects.toBeInstanceOf(KeysmithValidationError);
      await expect(app.tokens.rotate(revoked.token.id)).rejects.toThrow(/revoked/);
      await expect(app.tokens.rotate(purged.token.prefix)).rejects.toBeInstanceOf(KeysmithValidationError);
      await expect(app.tokens.rotate(purged.token.prefix)).rejects.toThrow(/purged/);
      expect((await storedToken(app.dataSource, revoked.token.id)).key).toBe(revokedKey);
      expect(await auditRows(app, revoked.token.id, 'rotated')).toEqual([]);
      expect(await auditRows(app, purged.token.id, 'rotated')).toEqual([]);
    });

    it('throws TokenNotFoundError for an unknown id or prefix', async () => {
      const unknownId = randomUUID();
      await expect(app.tokens.rotate(unknownId)).rejects.toBeInstanceOf(TokenNotFoundError);
      await expect(app.tokens.rotate(unknownId)).rejects.toThrow(unknownId);
      await expect(app.tokens.rotate('tok_Nothing0')).rejects.toBeInstanceOf(TokenNotFoundError);
      await expect(app.tokens.revoke(unknownId)).rejects.toBeInstanceOf(TokenNotFoundError);
      await expect(app.tokens.purge('tok_Nothing0')).rejects.toBeInstanceOf(TokenNotFoundError);
    });

    it('gets a token by its id, its prefix or itself, and throws TokenNotFoundError for none', async () => {
      const { token } = await app.tokens.create({ name: 'got' });
      for (const reference of [token.id, token.prefix, token]) expect((await app.tokens.get(reference)).id).toBe(token.id);
      await expect(app.tokens.get(randomUUID())).rejects.toBeInstanceOf(TokenNotFoundError);
      await expect(app.tokens.get('tok_Nothing0')).rejects.toBeInstanceOf(TokenNotFoundError);
    });

    it('refuses a raw token given as the reference without sending its secret to the database', async () => {
      const { rawToken } = await app.tokens.create({ name: 'raw-reference' });
      const secret = rawToken.slice(rawToken.indexOf(':') + 1);
      const queriesBefore = app.queries.length;
      for (const change of ['get', 'rotate', 'revoke', 'purge'] as const) {
        const refused = await app.tokens[change](rawToken).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(TokenNotFoundError);
        expect((refused as Error).message).not.toContain(secret);
      }
      expect(app.queries.slice(queriesBefore)).toEqual([]);
    });

    it('writes a `rotated` audit row with extra.actor_id', async () => {
      const { token } = await app.tokens.create({ name: 'rotate-audited' });
      await app.tokens.rotate(token, { actor: { id: 'admin-2' } });
      await app.tokens.rotate(token);
      const extras = (await auditRows(app, token.id, 'rotated')).map((row) => row.extra);
      expect(extras).toHaveLength(2);
      expect(extras).toContainEqual({ actor_id: 'admin-2' });
      expect(extras).toContainEqual({});
    });
  });

  describe(`revoke and purge (${variantName(variant)})`, () => {
    it('revokes a token once: a second revoke changes nothing and writes no second audit row', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'revoke-twice' });
      const first = await app.tokens.revoke(token, { actor: 'admin-3' });
      const second = await app.tokens.revoke(token.id, { actor: 'admin-4' });
      expect(first).toMatchObject({ id: token.id, revoked: true, purged: false });
      expect(second).toMatchObject({ id: token.id, revoked: true, purged: false });
      expect(await storedToken(app.dataSource, token.id)).toMatchObject({ revoked: true, purged: false });
      const rows = await auditRows(app, token.id, 'revoked');
      expect(rows).toHaveLength(1);
      expect(rows[0].extra).toEqual({ actor_id: 'admin-3' });
      await expect(app.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(RevokedTokenError);
    });

    it('purges a token once: marked purged and revoked, one `revoked` audit row with extra.purge true', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'purge-twice' });
      const first = await app.tokens.purge(token.prefix, { actor: { id: 12 } });
      const second = await app.tokens.purge(token, { actor: { id: 13 } });
      expect(first).toMatchObject({ revoked: true, purged: true });
      expect(second).toMatchObject({ revoked: true, purged: true });
      expect(await storedToken(app.dataSource, token.id)).toMatchObject({ revoked: true, purged: true });
      const rows = await auditRows(app, token.id, 'revoked');
      expect(rows.map((row) => row.extra)).toEqual([{ actor_id: '12', purge: true }]);
      await expect(app.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(RevokedTokenError);
    });

    it('revoke({ purge: true }) is a purge', async () => {
      const { token } = await app.tokens.create({ name: 'revoke-purge' });
      const result = await app.tokens.revoke(token.id, { purge: true, actor: 'admin-5' });
      expect(result).toMatchObject({ revoked: true, purged: true });
      expect(await storedToken(app.dataSource, token.id)).toMatchObject({ revoked: true, purged: true });
      expect((await auditRows(app, token.id, 'revoked')).map((row) => row.extra)).toEqual([{ actor_id: 'admin-5', purge: true }]);
      await app.tokens.purge(token.id);
      await app.tokens.revoke(token.id, { purge: true });
      expect(await auditRows(app, token.id, 'revoked')).toHaveLength(1);
    });

    it('purges a revoked token (one row each), and revoking a purged token writes nothing', async () => {
      const revokedFirst = await app.tokens.create({ name: 'revoke-then-purge' });
      await app.tokens.revoke(revokedFirst.token);
      await app.tokens.purge(revokedFirst.token);
      expect(await storedToken(app.dataSource, revokedFirst.token.id)).toMatchObject({ revoked: true, purged: true });
      const extras = (await auditRows(app, revokedFirst.token.id, 'revoked')).map((row) => row.extra);
      expect(extras).toHaveLength(2);
      expect(extras).toContainEqual({});
      expect(extras).toContainEqual({ purge: true });

      const purgedFirst = await app.tokens.create({ name: 'purge-then-revoke' });
      await app.tokens.purge(purgedFirst.token);
      await app.tokens.revoke(purgedFirst.token);
      expect(await auditRows(app, purgedFirst.token.id, 'revoked')).toHaveLength(1);
    });
  });

  describe(`audit rows of lifecycle actions with a request (${variantName(variant)})`, () => {
    it('records path without the query string, method, client IP and user agent of a real HTTP request', async () => {
      const response = await fetch(`${app.url}/tokens?return_to=%2Fsettings&token=secret`, {
        method: 'POST',
        headers: { 'user-agent': 'keysmith-e2e/1.0' },
      });
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      const rows = await auditRows(app, id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'created',
        path: '/tokens',
        method: 'POST',
        ipAddress: '127.0.0.1',
        userAgent: 'keysmith-e2e/1.0',
        statusCode: null,
        extra: { actor_id: 'admin-http' },
      });
    });

    it('records the request given to create, rotate, revoke and purge', async () => {
      const { token } = await app.tokens.create({
        name: 'request-audited',
        request: expressLikeRequest('POST', '/admin/tokens?next=%2Fhome'),
      });
      const actor = 'admin-6';
      await app.tokens.rotate(token, { actor, request: expressLikeRequest('PUT', '/admin/tokens/rotate?x=1') });
      await app.tokens.revoke(token, { actor, request: expressLikeRequest('DELETE', '/admin/tokens/revoke') });
      await app.tokens.purge(token, { actor, request: expressLikeRequest('DELETE', '/admin/tokens/purge?hard=1') });
      const rows = await auditRows(app, token.id);
      const summary = rows
        .map((row) => ({
          action: row.action,
          path: row.path,
          method: row.method,
          ipAddress: row.ipAddress,
          userAgent: row.userAgent,
          statusCode: row.statusCode,
          extra: row.extra,
        }))
        .sort((a, b) => (a.path ?? '').localeCompare(b.path ?? ''));
      const common = { ipAddress: '203.0.113.9', userAgent: 'keysmith-admin/2.0', statusCode: null };
      expect(summary).toEqual([
        { action: 'created', path: '/admin/tokens', method: 'POST', ...common, extra: {} },
        {
          action: 'revoked',
          path: '/admin/tokens/purge',
          method: 'DELETE',
          ...common,
          extra: { actor_id: actor, purge: true },
        },
        { action: 'revoked', path: '/admin/tokens/revoke', method: 'DELETE', ...common, extra: { actor_id: actor } },
        { action: 'rotated', path: '/admin/tokens/rotate', method: 'PUT', ...common, extra: { actor_id: actor } },
      ]);
    });

    it('leaves request columns empty when no request is given', async () => {
      const { token } = await app.tokens.create({ name: 'no-request', createdBy: 'admin-7' });
      const [row] = await auditRows(app, token.id);
      expect(row).toMatchObject({ path: null, method: null, ipAddress: null, userAgent: null, statusCode: null });
    });

    it('records where each action came from as extra.source', async () => {
      const { token } = await app.tokens.create({ name: 'from-a-script', createdBy: 'ops', source: 'cli' });
      await app.tokens.rotate(token, { source: 'cli' });
      await app.tokens.revoke(token, { actor: 'ops', source: 'cli' });
      await app.tokens.purge(token, { source: 'cli' });
      const extras = (await auditRows(app, token.id)).map((row) => row.extra);
      expect(extras).toHaveLength(4);
      expect(extras).toContainEqual({ actor_id: 'ops', source: 'cli' });
      expect(extras).toContainEqual({ source: 'cli' });
      expect(extras).toContainEqual({ source: 'cli', purge: true });
    });
  });
});
