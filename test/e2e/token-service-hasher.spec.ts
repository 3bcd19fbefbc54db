import { crc32 } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError, Token } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

function withChecksum(body: string): string {
  return body + String(crc32(body) % 1_000_000).padStart(6, '0');
}

function storedToken(dataSource: DataSource, id: string): Promise<Token> {
  return dataSource.getRepository(Token).findOneByOrFail({ id });
}

describe.each(databaseVariants())('the configured hasher changes on $database', (variant) => {
  const sharesDatabase = variant.database !== 'sqlite-memory';
  let bcryptApp: TestApp;
  let sha256App: TestApp;

  beforeAll(async () => {
    bcryptApp = await startTestApp({ suite: 'token-service-hasher', variant, keysmith: { hasher: 'bcrypt' } });
    sha256App = await startTestApp({ suite: 'token-service-hasher', variant, keysmith: { hasher: 'sha256' } });
  });
  afterAll(async () => {
    await sha256App?.close();
    await bcryptApp?.close();
  });

  /** Two apps share a SQLite file or a server database; an in-memory database gets the row copied over. */
  async function reachSha256App(token: Token): Promise<void> {
    if (sharesDatabase) return;
    await sha256App.dataSource.getRepository(Token).insert(await storedToken(bcryptApp.dataSource, token.id));
  }

  it(`shares one database between the two apps where the database allows it (${variantName(variant)})`, async () => {
    const { token } = await bcryptApp.tokens.create({ name: 'visible-to-both' });
    const seenBySha256App = await sha256App.tokens.findById(token.id);
    expect(seenBySha256App === null).toBe(!sharesDatabase);
  });

  it('a sha256 app authenticates a token created while the hasher was bcrypt, then hashes its secret again with sha256', async () => {
    const { token, rawToken } = await bcryptApp.tokens.create({ name: 'created-under-bcrypt', user: 'u-1' });
    await reachSha256App(token);
    const keyBefore = (await storedToken(sha256App.dataSource, token.id)).key;
    expect(keyBefore.startsWith('bcrypt$')).toBe(true);

    const authenticated = await sha256App.tokens.authenticate(rawToken);
    expect(authenticated).toMatchObject({ id: token.id, userId: 'u-1' });
    await sha256App.tokens.flushLastUsed();
    const stored = await storedToken(sha256App.dataSource, token.id);
    expect(stored.lastUsedAt?.getTime()).toBe(authenticated.lastUsedAt!.getTime());
    await expect.poll(async () => (await storedToken(sha256App.dataSource, token.id)).key).toMatch(/^sha256\$[0-9a-f]{64}$/);
    expect(await bcryptApp.tokens.authenticate(rawToken).then((again) => again.id)).toBe(token.id);
  });

  it('a sha256 app still rejects a wrong secret for a bcrypt-hashed token', async () => {
    const { token } = await bcryptApp.tokens.create({ name: 'wrong-secret-under-sha256' });
    await reachSha256App(token);
    const error = await sha256App.tokens.authenticate(withChecksum(`${token.prefix}:${'W'.repeat(32)}`)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe('wrong_secret');
  });

  it('a sha256 app hashes new secrets with sha256, which a bcrypt app verifies', async () => {
    const { token, rawToken } = await sha256App.tokens.create({ name: 'created-under-sha256' });
    const stored = await storedToken(sha256App.dataSource, token.id);
    expect(stored.key).toMatch(/^sha256\$[0-9a-f]{64}$/);
    expect((await sha256App.tokens.authenticate(rawToken)).id).toBe(token.id);
    if (sharesDatabase) expect((await bcryptApp.tokens.authenticate(rawToken)).id).toBe(token.id);
  });

  it('rotating a bcrypt token on a sha256 app re-hashes it with sha256', async () => {
    const { token, rawToken } = await bcryptApp.tokens.create({ name: 'rotated-under-sha256' });
    await reachSha256App(token);
    const rotated = await sha256App.tokens.rotate(token.id);
    expect((await storedToken(sha256App.dataSource, token.id)).key.startsWith('sha256$')).toBe(true);
    await expect(sha256App.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(InvalidTokenError);
    expect((await sha256App.tokens.authenticate(rotated)).id).toBe(token.id);
  });
});
