import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MAIN = 'test/events/fixtures/events-app-main.mjs';
const WITHOUT_EVENT_EMITTER = './test/events/fixtures/without-event-emitter.mjs';

async function run(format: 'esm' | 'cjs', hideEventEmitter: boolean): Promise<Record<string, unknown>> {
  const args = [...(hideEventEmitter ? ['--import', WITHOUT_EVENT_EMITTER] : []), MAIN, format];
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { timeout: 60_000 });
  expect(stderr).toBe('');
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('the built package without @nestjs/event-emitter (an optional peer)', () => {
  it.each(['esm', 'cjs'] as const)(
    'loads and runs every action, emitting once the package is there (%s build)',
    { timeout: 90_000 },
    async (format) => {
      expect(existsSync(`dist/${format}/index.js`), 'run `npm run build` first').toBe(true);
      expect(await run(format, true)).toEqual({ eventEmitter: false, revoked: true, events: [] });
      expect(await run(format, false)).toEqual({
        eventEmitter: true,
        revoked: true,
        events: ['keysmith.token.created', 'keysmith.token.revoked'],
      });
    },
  );
});
