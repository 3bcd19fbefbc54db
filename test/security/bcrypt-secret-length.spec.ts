import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError, KEYSMITH_ENTITIES, KeysmithConfigurationError, createStandaloneKeysmith } from '../../lib/index.js';
import { databaseOptions } from '../support/databases.js';
import { databaseVariants } from '../support/test-app.js';
import { withChecksum } from './fixtures/header-values.js';

const CHECKSUM_LENGTH = 6;

/** The raw token with the last `count` characters of its secret changed, and a checksum that matches again. */
function withSecretTailChanged(rawToken: string, count: number): string {
  const body = rawToken.slice(0, -CHECKSUM_LENGTH);
  const tail = [...body.slice(-count)].map((character) => (character === 'a' ? 'b' : 'a')).join('');
  return withChecksum(body.slice(0, -count) + tail);
}

type Outcome = 'refused at startup' | 'authenticated' | 'refused';

describe('bcrypt checks every character of a secret', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    const connection = await databaseOptions(databaseVariants()[0].database, 'security-bcrypt-secret-length');
    dataSource = await new DataSource({ ...connection, entities: KEYSMITH_ENTITIES }).initialize();
  });
  afterAll(() => dataSource?.destroy());

  /** Issues a bcrypt token of `secretLength`, then authenticates it with its secret's last `changed` characters changed. */
  async function authenticateChanged(secretLength: number, changed: number): Promise<Outcome> {
    let keysmith;
    try {
      keysmith = await createStandaloneKeysmith(dataSource, { hasher: 'bcrypt', bcryptRounds: 4, secretLength });
    } catch (error) {
      if (error instanceof KeysmithConfigurationError && error.option === 'secretLength') return 'refused at startup';
      throw error;
    }
    try {
      const { rawToken } = await keysmith.tokens.create({ name: `secret-of-${secretLength}` });
      expect((await keysmith.tokens.authenticate(rawToken)).prefix).toBe(rawToken.split(':')[0]);
      return await keysmith.tokens.authenticate(withSecretTailChanged(rawToken, changed)).then(
        () => 'authenticated',
        (error: unknown) => {
          expect(error).toBeInstanceOf(InvalidTokenError);
          return 'refused';
        },
      );
    } finally {
      await keysmith.close();
    }
  }

  it('secretLength 72, the longest it takes: a changed last character is refused', async () => {
    expect(await authenticateChanged(72, 1)).toBe('refused');
  });

  it.each([
    [73, 1],
    [128, 56],
    [256, 184],
  ])(
    'secretLength %i: a token with its characters past the 72nd changed (the last %i) never authenticates',
    async (secretLength, changed) => {
      expect(await authenticateChanged(secretLength, changed)).toBe('refused at startup');
    },
  );
});
