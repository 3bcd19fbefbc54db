import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const DEMO = 'sample/dist/demo.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built demo (`npm run demo` without its build step) as its own process. */
async function runDemo(): Promise<Run> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [DEMO], { env, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('npm run demo', () => {
  it('walks a token through its lifecycle over HTTP and exits 0', { timeout: 120_000 }, async () => {
    expect(existsSync(DEMO), `${DEMO} is missing: run \`npm run build\`, which also builds the sample`).toBe(true);
    const run = await runDemo();
    const dataFile = /SQLite file (\S+\.sqlite)/.exec(run.stdout)?.[1];
    if (dataFile) rmSync(dirname(dataFile), { recursive: true, force: true });

    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    const lines = run.stdout.split('\n');
    const expectLine = (pattern: RegExp) =>
      expect(
        lines.some((line) => pattern.test(line)),
        `no line matches ${pattern}`,
      ).toBe(true);

    expect(dataFile).toMatch(/keysmith-demo-.+\.sqlite$/);
    expectLine(/^✔ create token for api-user → tok_[0-9A-Za-z]{8}, scopes \[read\]/);
    expectLine(/^✔ GET \/api\/health with token → 200 \{"ok":true,"token_prefix":"tok_[0-9A-Za-z]{8}"\}$/);
    expectLine(/^✔ GET \/api\/health without token → 401 /);
    expectLine(/^✔ GET \/api\/me with token → 200 \{"user":\{"id":\d+,"username":"api-user"\}/);
    expectLine(/^✔ POST \/api\/notes with a read-only token → 403 /);
    expectLine(/^✔ POST \/api\/notes with a read\+write token .* → 201 /);
    expectLine(/^✔ rotate tok_\w+ → same prefix, new secret/);
    expectLine(/^✔ GET \/api\/health with the old token → 401 /);
    expectLine(/^✔ GET \/api\/health with the new token → 200 /);
    expectLine(/^✔ revoke tok_\w+ → revoked=true$/);
    expectLine(/^✔ GET \/api\/health with the revoked token → 401 /);
    expectLine(/^✔ purge tok_\w+ → purged=true, revoked=true/);
    expectLine(/^✔ GET \/api\/health with the purged token → 401 /);
    expectLine(/KeysmithNotifications.*Token tok_\w+ "demo-expiring" of user \d+ expires within 7 day\(s\)/);
    expectLine(/^✔ expiry scan with tok_\w+ expiring in 2 days → keysmith.token.expiring \(7 days before\)/);
    expectLine(/^\s+auth_failed\s+401\s+revoked_token\s+GET \/api\/health$/);
    expectLine(/^\s+auth_failed\s+401\s+missing_token\s+GET \/api\/health$/);
    expectLine(/^✔ audit log → 11 rows, one per step$/);
    expect(run.stdout).not.toContain('✘');
  });
});
