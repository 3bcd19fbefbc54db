import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MAIN = 'test/admin/fixtures/admin-app-main.mjs';
const WITHOUT_SWAGGER = './test/admin/fixtures/without-swagger.cjs';

async function run(format: 'esm' | 'cjs', hideSwagger: boolean): Promise<Record<string, unknown>> {
  const args = [...(hideSwagger ? ['--require', WITHOUT_SWAGGER] : []), MAIN, format];
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('the built package without @nestjs/swagger (an optional peer)', () => {
  it.each(['esm', 'cjs'] as const)(
    'loads, serves the page and guards and validates the API (%s build)',
    { timeout: 90_000 },
    async (format) => {
      expect(existsSync(`dist/${format}/index.js`), 'run `npm run build` first').toBe(true);
      const expected = { page: 200, anonymous: 401, admin: 200, badQuery: 400 };
      expect(await run(format, true)).toEqual({ swagger: false, ...expected });
      expect(await run(format, false)).toEqual({ swagger: true, ...expected });
    },
  );
});
