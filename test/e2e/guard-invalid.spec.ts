import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildToken } from '../../lib/index.js';
import { appVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { MESSAGES, auditRowsOf, call, rawCall, uniqueAgent, type Reply } from './fixtures/guard-http.js';

interface BadValue {
  value: string;
  tokenId: string | null;
}

interface BadToken {
  kind: string;
  /** The header value to send and the token it names, if any. */
  make(app: TestApp): BadValue | Promise<BadValue>;
  /** Sent through node:http as Latin-1 bytes. */
  raw?: boolean;
  errorCode: 'invalid_token' | 'revoked_token' | 'expired_token';
  reason?: 'malformed' | 'checksum_mismatch' | 'unknown_prefix' | 'wrong_secret';
}

const created = (app: TestApp, expiresAt?: Date) =>
  app.tokens.create({ name: 'bad input', ...(expiresAt === undefined ? {} : { expiresAt }) });

const BAD_TOKENS: BadToken[] = [
  {
    kind: 'too short',
    make: () => ({ value: 'tok_abc', tokenId: null }),
    errorCode: 'invalid_token',
    reason: 'malformed',
  },
  {
    kind: 'too long (600 characters)',
    make: () => ({ value: `tok_ABCDEFGH:${'a'.repeat(587)}`, tokenId: null }),
    errorCode: 'invalid_token',
    reason: 'malformed',
  },
  {
    kind: 'non-ASCII',
    make: async (app) => {
      const { rawToken } = await created(app);
      return { value: `${rawToken.slice(0, 20)}é${rawToken.slice(21)}`, tokenId: null };
    },
    raw: true,
    errorCode: 'invalid_token',
    reason: 'malformed',
  },
  {
    kind: 'wrong checksum',
    make: async (app) => {
      const { rawToken } = await created(app);
      const checksum = Number(rawToken.slice(-6));
      return { value: rawToken.slice(0, -6) + String((checksum + 1) % 1_000_000).padStart(6, '0'), tokenId: null };
    },
    errorCode: 'invalid_token',
    reason: 'checksum_mismatch',
  },
  {
    kind: 'unknown prefix',
    make: () => ({ value: buildToken('tok_NoSuch42', 'S3cretS3cretS3cretS3cretS3cret42'), tokenId: null }),
    errorCode: 'invalid_token',
    reason: 'unknown_prefix',
  },
  {
    kind: 'wrong secret',
    make: async (app) => {
      const { token } = await created(app);
      return { value: buildToken(token.prefix, 'WrongWrongWrongWrongWrongWrong42'), tokenId: token.id };
    },
    errorCode: 'invalid_token',
    reason: 'wrong_secret',
  },
  {
    kind: 'revoked',
    make: async (app) => {
      const { token, rawToken } = await created(app);
      await app.tokens.revoke(token);
      return { value: rawToken, tokenId: token.id };
    },
    errorCode: 'revoked_token',
  },
  {
    kind: 'purged',
    make: async (app) => {
      const { token, rawToken } = await created(app);
      await app.tokens.purge(token);
      return { value: rawToken, tokenId: token.id };
    },
    errorCode: 'revoked_token',
  },
  {
    kind: 'expired',
    make: async (app) => {
      const { token, rawToken } = await created(app, new Date(Date.now() - 60_000));
      return { value: rawToken, tokenId: token.id };
    },
    errorCode: 'expired_token',
  },
];

function send(app: TestApp, bad: BadToken, value: string, agent: string): Promise<Reply> {
  return bad.raw
    ? rawCall(app, '/api/health', { 'x-keysmith-token': value, 'user-agent': agent })
    : call(app, '/api/health', { token: value, agent });
}

describe.each(appVariants())('KeysmithGuard with bad input on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ suite: 'guard-invalid', variant, controllers: [GuardedApiController] });
  });
  afterAll(() => app?.close());

  it('answers 401 missingToken and audits missing_token when no token is sent', async () => {
    const agent = uniqueAgent('missing');
    const response = await call(app, '/api/health', { agent });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, message: 'Authentication credentials were not provided.' });
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'auth_failed', tokenId: null, statusCode: 401, extra: { error_code: 'missing_token' } });
  });

  it('treats an empty header as a missing token', async () => {
    const agent = uniqueAgent('empty');
    const empty = await call(app, '/api/health', { token: '', agent });
    const missing = await call(app, '/api/health');
    expect(empty.status).toBe(401);
    expect(empty.body.message).toBe(MESSAGES.missingToken);
    expect(empty.text).toBe(missing.text);
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0].extra).toEqual({ error_code: 'missing_token' });
  });

  it.each(BAD_TOKENS)('a $kind token: 401 invalidToken, never echoed, audited as $errorCode', async (bad) => {
    const { value, tokenId } = await bad.make(app);
    const agent = uniqueAgent(bad.kind);
    const response = await send(app, bad, value, agent);

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, message: 'Your session has expired or the token is invalid.' });
    expect(response.text).not.toContain(value);
    expect(response.text).not.toContain(value.slice(0, 12));

    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'auth_failed', tokenId, statusCode: 401, path: '/api/health', method: 'GET' });
    expect(rows[0].extra.error_code).toBe(bad.errorCode);
    expect(rows[0].extra.reason).toBe(bad.reason);
    expect(JSON.stringify(rows[0])).not.toContain(value);
  });

  it('answers every kind of bad token with a byte-identical body', async () => {
    const bodies = new Map<string, string>();
    for (const bad of BAD_TOKENS) {
      const { value } = await bad.make(app);
      bodies.set(bad.kind, (await send(app, bad, value, uniqueAgent('identical'))).text);
    }
    const expected = bodies.get('wrong secret');
    expect(JSON.parse(expected!)).toMatchObject({ message: MESSAGES.invalidToken });
    for (const [kind, body] of bodies) expect(body, kind).toBe(expected);
  });

  it('answers a repeated or oversized header value with 401, never a 500', async () => {
    const { rawToken } = await created(app);
    const huge = await call(app, '/api/health', { token: 'x'.repeat(8_000) });
    expect(huge.status).toBe(401);
    expect(huge.body.message).toBe(MESSAGES.invalidToken);
    const twice = await rawCall(app, '/api/health', { 'x-keysmith-token': [rawToken, rawToken] });
    expect(twice.status).toBe(401);
    expect(twice.body.message).toBe(MESSAGES.invalidToken);
  });
});
