import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysmithValidationError } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ADMIN = 'keysmith:admin';

describe.each(databaseVariants())('the lifetime policy of TokenService on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'token-service-lifetime',
      variant,
      keysmith: { availableScopes: ['read', ADMIN], maxExpiryDays: 90, maxExpiryDaysByScope: { [ADMIN]: 30 } },
    });
  });
  afterAll(() => app?.close());

  const daysLeft = (expiresAt: Date | null) => (expiresAt!.getTime() - Date.now()) / DAY_MS;
  const refusal = async (action: Promise<unknown>) => {
    const error = (await action.then(
      () => null,
      (thrown: unknown) => thrown,
    )) as KeysmithValidationError | null;
    expect(error).toBeInstanceOf(KeysmithValidationError);
    return { field: error!.field, message: error!.message };
  };

  it(`gives a token created without an expiry the default, shortened to its limit (${variantName(variant)})`, async () => {
    expect(daysLeft((await app.tokens.create({ name: 'reader', scopes: ['read'] })).token.expiresAt)).toBeCloseTo(90, 2);
    expect(daysLeft((await app.tokens.create({ name: 'operator', scopes: [ADMIN] })).token.expiresAt)).toBeCloseTo(30, 2);
  });

  it(`refuses to create a token that lives longer, or forever, naming expiresAt and the limit (${variantName(variant)})`, async () => {
    expect(await refusal(app.tokens.create({ name: 'forever', expiresAt: null }))).toEqual({
      field: 'expiresAt',
      message: 'expiresAt: a token must expire within 90 days (maxExpiryDays); it cannot be made to never expire.',
    });
    const tooLong = await refusal(app.tokens.create({ name: 'admin', scopes: [ADMIN], expiresAt: new Date(Date.now() + 45 * DAY_MS) }));
    expect(tooLong.message).toMatch(/past the limit of 30 days \(maxExpiryDaysByScope\['keysmith:admin'\]\)/);
    expect(await app.tokens.list({ search: 'forever' })).toEqual([]);
  });

  it(`refuses an update to a later expiry, to none, or to a scope with a shorter limit, and writes nothing (${variantName(variant)})`, async () => {
    const { token } = await app.tokens.create({ name: 'updated', scopes: ['read'], expiresAt: new Date(Date.now() + 60 * DAY_MS) });
    expect((await refusal(app.tokens.update(token.id, { expiresAt: new Date(Date.now() + 91 * DAY_MS) }))).field).toBe('expiresAt');
    expect((await refusal(app.tokens.update(token.id, { expiresAt: null }))).field).toBe('expiresAt');
    const widened = await refusal(app.tokens.update(token.id, { scopes: ['read', ADMIN], name: 'renamed' }));
    expect(widened.message).toMatch(/maxExpiryDaysByScope\['keysmith:admin'\]/);
    expect(await app.tokens.get(token.id)).toMatchObject({ name: 'updated', scopes: ['read'], expiresAt: token.expiresAt });

    const within = new Date(Date.now() + 20 * DAY_MS);
    expect(await app.tokens.update(token.id, { scopes: ['read', ADMIN], expiresAt: within })).toMatchObject({ expiresAt: within });
    expect((await app.tokens.get(token.id)).scopes).toEqual(['read', ADMIN]);
  });
});
