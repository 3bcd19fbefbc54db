import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuditLog } from '../../lib/index.js';
import { insertRows } from '../../lib/audit/insert-rows.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { auditRows } from './fixtures/audit-rows.js';

describe.each(databaseVariants().filter((variant) => variant.registration === 'forRoot' && variant.adapter === 'express'))(
  'The batched audit INSERT on $database',
  (variant) => {
    let app: TestApp;

    beforeAll(async () => {
      app = await startTestApp({ suite: 'audit-insert-rows', variant });
    });
    afterAll(() => app?.close());

    it(`writes a batch tried again after its first try landed once, without an error (${variantName(variant)})`, async () => {
      const repository = app.dataSource.getRepository(TokenAuditLog);
      const batch = auditRows(50, 'auth_success', 0);
      await insertRows(repository, batch);
      // The retry of a batch whose answer was lost, held with a row that arrived meanwhile.
      const [arrived] = auditRows(1, 'auth_failed', 0);
      await insertRows(repository, [...batch, arrived]);
      const stored = await repository.find({ select: { id: true } });
      expect(stored.map(({ id }) => id).sort()).toEqual([...batch, arrived].map(({ id }) => id).sort());
    });
  },
);
