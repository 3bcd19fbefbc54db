import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../lib/index.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';

const NOT_TOKENS: unknown[] = [null, undefined, 42, {}, [], ['tok_ab12CD34:x'], true, Symbol('token'), () => 'tok', new Date(), ''];

describe.each(databaseVariants())('TokenService.authenticate given what is not a token, on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'security-service-input', variant });
  });
  afterAll(() => app?.close());

  it.each(NOT_TOKENS.map((value) => [String(typeof value === 'symbol' ? 'Symbol()' : (JSON.stringify(value) ?? value)), value]))(
    'answers %s with InvalidTokenError (malformed)',
    async (_label, value) => {
      const error = await app.tokens.authenticate(value as string).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect((error as InvalidTokenError).reason).toBe('malformed');
    },
  );
});
