import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumMissing, launchChromium, type Browser } from './fixtures/chromium.js';
import { startSampleApp, type SampleApp } from './fixtures/sample-app.js';

if (chromiumMissing)
  console.warn(`[keysmith tests] ${CHROMIUM} is missing: the admin page's browser suite is skipped (apt-get install -y chromium).`);

/** `KEYSMITH_SCREENSHOTS=docs` writes the screenshots the README shows; otherwise they go to a temporary folder. */
const SCREENSHOTS = process.env.KEYSMITH_SCREENSHOTS === 'docs' ? 'docs/screenshots' : mkdtempSync(join(tmpdir(), 'keysmith-screenshots-'));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe.skipIf(chromiumMissing)('admin page in Chromium, against the sample app', () => {
  let sample: SampleApp;
  let browser: Browser;
  let page: Page;
  let adminToken: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    sample = await startSampleApp();
    adminToken = await sample.createToken('keysmith:admin');
    browser = await launchChromium();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sample.url });
    page = await browser.context.newPage();
    await seedTokens();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await sample?.close();
  });

  const status = async (raw: string): Promise<number> =>
    (await fetch(`${sample.url}/api/health`, { headers: { 'X-KEYSMITH-TOKEN': raw } })).status;

  async function seedTokens(): Promise<void> {
    const day = 24 * 60 * 60 * 1000;
    const seeds = [
      { name: 'billing-export', scopes: ['read'], description: 'Nightly export to the billing system' },
      { name: 'ci-deploy', scopes: ['read', 'write'], tokenType: 'system' },
      { name: 'legacy-integration', scopes: ['read'], expiresAt: new Date(Date.now() - day).toISOString() },
      { name: 'mobile-app', scopes: ['read'], userId: '1' },
    ];
    for (const seed of seeds) {
      const response = await fetch(`${sample.url}/keysmith/api/tokens`, {
        method: 'POST',
        headers: { 'X-KEYSMITH-TOKEN': adminToken, 'Content-Type': 'application/json' },
        body: JSON.stringify(seed),
      });
      expect(response.status).toBe(201);
    }
  }

  async function screenshot(name: string): Promise<void> {
    const file = join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path: file });
    expect(readFileSync(file).subarray(0, 4)).toEqual(PNG_SIGNATURE);
  }

  const row = (name: string): Locator => page.locator('#token-rows tr', { has: page.getByText(name, { exact: true }) });
  const badgeOf = (name: string): Locator => row(name).locator('.badge');

  async function confirm(): Promise<void> {
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
  }

  it('refuses a token without keysmith:admin, then signs in with an admin token kept in session storage only', async () => {
    await page.goto(`${sample.url}/keysmith`);
    await screenshot('sign-in');
    const reader = await sample.createToken('read');
    await page.getByLabel('Admin token').fill(reader);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#signin-error').textContent()).toContain('keysmith:admin');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);

    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => row('billing-export').count()).toBe(1);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([adminToken]);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await badgeOf('legacy-integration').textContent()).toBe('expired');
    expect(await badgeOf('ci-deploy').textContent()).toBe('active');
    await screenshot('tokens');
  });

  let created = '';

  it('creates a token, shows it once with a copy button, and the copied value works over HTTP', async () => {
    await page.getByLabel('Name', { exact: true }).fill('browser-made');
    await page.getByLabel(/^Scopes/).fill('read');
    await page.getByRole('button', { name: 'Create token' }).click();
    const panel = page.locator('#secret-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await panel.textContent()).toContain('you will not see this again');
    created = await page.getByLabel('Raw token').inputValue();
    expect(created).toMatch(/^tok_[0-9A-Za-z]{8}:[0-9A-Za-z]{32}\d{6}$/);

    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#secret-copied').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(created);
    await screenshot('token-created');

    expect(await status(created)).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('Raw token').inputValue()).toBe('');
    expect(await panel.isVisible()).toBe(false);
    expect(await badgeOf('browser-made').textContent()).toBe('active');
  });

  it('rotates the token after confirmation: the new value is shown once, the old one fails', async () => {
    await row('browser-made').getByRole('button', { name: 'Rotate browser-made' }).click();
    await confirm();
    await expect.poll(() => page.getByLabel('Raw token').inputValue()).not.toBe('');
    const rotated = await page.getByLabel('Raw token').inputValue();
    expect(rotated).not.toBe(created);
    expect(rotated.slice(0, 12)).toBe(created.slice(0, 12));
    expect(await status(created)).toBe(401);
    expect(await status(rotated)).toBe(200);
    created = rotated;
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it('rotates with a grace period: the old value keeps working, and its deadline is shown', async () => {
    await row('browser-made').getByRole('button', { name: 'Rotate browser-made' }).click();
    await page.getByLabel('The current value').selectOption({ label: 'keeps working for 1 hour' });
    await confirm();
    await expect.poll(() => page.getByLabel('Raw token').inputValue()).not.toBe('');
    const rotated = await page.getByLabel('Raw token').inputValue();
    expect(await status(created)).toBe(200);
    expect(await status(rotated)).toBe(200);
    await expect.poll(() => row('browser-made').textContent()).toContain('old value until');
    created = rotated;
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it('disables the token, then enables it again', async () => {
    await row('browser-made').getByRole('button', { name: 'Disable browser-made' }).click();
    await confirm();
    await expect.poll(() => badgeOf('browser-made').textContent()).toBe('disabled');
    expect(await status(created)).toBe(401);
    await row('browser-made').getByRole('button', { name: 'Enable browser-made' }).click();
    await confirm();
    await expect.poll(() => badgeOf('browser-made').textContent()).toBe('active');
    expect(await status(created)).toBe(200);
  });

  it('edits the allowed addresses and the metadata, and says which field a refusal is about', async () => {
    await row('browser-made').getByRole('button', { name: 'Edit browser-made' }).click();
    await page.getByLabel('Token allowed addresses').fill('10.0.0.0/33');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#edit-error').textContent()).toContain('10.0.0.0/33');

    await page.getByLabel('Token allowed addresses').fill('10.0.0.0/8');
    await page.getByLabel('Token metadata').fill('{"team": "billing"}');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row('browser-made').textContent()).toContain('from 10.0.0.0/8');
    expect(await status(created)).toBe(403);

    await row('browser-made').getByRole('button', { name: 'Edit browser-made' }).click();
    expect(await page.getByLabel('Token metadata').inputValue()).toBe('{"team":"billing"}');
    await page.getByLabel('Token allowed addresses').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row('browser-made').textContent()).not.toContain('from 10.0.0.0/8');
    expect(await status(created)).toBe(200);
  });

  it('cancels, then confirms a revoke, and the token stops working', async () => {
    await row('browser-made').getByRole('button', { name: 'Revoke browser-made' }).click();
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
    expect(await page.locator('#confirm-text').textContent()).toContain('Revoke browser-made');
    await screenshot('confirm-revoke');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);
    expect(await status(created)).toBe(200);

    await row('browser-made').getByRole('button', { name: 'Revoke browser-made' }).click();
    await confirm();
    await expect.poll(() => badgeOf('browser-made').textContent()).toBe('revoked');
    expect(await status(created)).toBe(401);
  });

  it('purges the token after confirmation and finds it with the filters', async () => {
    await row('browser-made').getByRole('button', { name: 'Purge browser-made' }).click();
    await confirm();
    await expect.poll(() => badgeOf('browser-made').textContent()).toBe('purged');

    await page.getByLabel('Name or prefix').fill('BROWSER');
    await page.getByLabel('State').selectOption('purged');
    await page.getByRole('button', { name: 'Apply' }).first().click();
    await expect.poll(() => page.locator('#token-rows tr').count()).toBe(1);
    expect(await badgeOf('browser-made').textContent()).toBe('purged');

    await page.getByLabel('State').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).first().click();
    await expect.poll(() => page.locator('#token-rows').textContent()).toContain('No tokens match.');
    await page.getByRole('button', { name: 'Clear' }).first().click();
    await expect.poll(() => row('billing-export').count()).toBe(1);
  });

  it("shows the token's audit trail and filters it by action and status", async () => {
    await row('browser-made').getByRole('button', { name: 'Audit log of browser-made' }).click();
    const actions = () => page.locator('#audit-rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    // Request rows reach the database within the audit flush interval: apply the filters until they are there.
    const applied = async () => {
      await page.locator('#audit-filters').getByRole('button', { name: 'Apply' }).click();
      await page.waitForLoadState('networkidle');
      return actions();
    };
    await expect
      .poll(applied, { timeout: 10_000 })
      .toEqual([
        ...['revoked', 'auth_failed', 'revoked', 'auth_success'],
        ...['auth_success', 'updated', 'auth_failed', 'updated'],
        ...['auth_success', 'enabled', 'auth_failed', 'disabled'],
        ...['auth_success', 'auth_success', 'rotated'],
        ...['auth_success', 'auth_failed', 'rotated', 'auth_success', 'created'],
      ]);
    await screenshot('audit');

    await page.getByLabel('Action').selectOption('auth_failed');
    await page.getByLabel('Status').fill('401');
    await expect.poll(applied).toEqual(['auth_failed', 'auth_failed', 'auth_failed']);
    expect(await page.locator('#audit-rows').textContent()).toContain('error_code=revoked_token');
    expect(await page.locator('#audit-rows').textContent()).toContain('reason=wrong_secret');
    expect(await page.locator('#audit-rows').textContent()).toContain('error_code=disabled_token');
    await screenshot('audit-filtered');

    const local = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('From').fill(local(new Date(Date.now() + 60 * 60_000)));
    await page.locator('#audit-filters').getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('#audit-rows').textContent()).toContain('No audit rows match.');
    await page.getByLabel('From').fill(local(new Date(Date.now() - 60 * 60_000)));
    await expect.poll(applied).toEqual(['auth_failed', 'auth_failed', 'auth_failed']);
  });

  it("draws the token's requests over the last 24 hours and 30 days, successes and refusals apart", async () => {
    await page.locator('#tab-tokens').click();
    await row('browser-made').getByRole('button', { name: 'Usage of browser-made' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => page.locator('#usage-hours').getAttribute('aria-label')).toBe('last 24 hours: 7 successes, 4 refusals');
    expect(await page.locator('#usage-days').getAttribute('aria-label')).toBe('last 30 days: 7 successes, 4 refusals');
    expect(await page.locator('#usage-hours .col').count()).toBe(24);
    expect(await page.locator('#usage-days .col').count()).toBe(30);
    // Bars are shares of the busiest hour: successes and refusals keep their ratio, and the busiest column is full height.
    const heights = (part: string) =>
      page
        .locator(`#usage-hours .col .${part}`)
        .evaluateAll((nodes) => nodes.map((node) => parseFloat((node as HTMLElement).style.height)));
    const [ok, failed] = [await heights('ok'), await heights('failed')];
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    expect(sum(ok) / sum(failed)).toBeCloseTo(7 / 4, 3);
    expect(Math.max(...ok.map((value, i) => value + failed[i]))).toBeCloseTo(100, 3);
    expect(await page.locator('#usage-quota').textContent()).toBe('No quota.');
    await screenshot('usage');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // Back where the next test starts.
    await page.locator('#tab-audit').click();
  });

  it('revokes every token of the user the listing is filtered on, after confirmation', async () => {
    await page.getByRole('button', { name: 'Tokens' }).click();
    const leaver = [];
    for (const name of ['leaver-laptop', 'leaver-ci']) {
      const response = await fetch(`${sample.url}/keysmith/api/tokens`, {
        method: 'POST',
        headers: { 'X-KEYSMITH-TOKEN': adminToken, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, userId: 'leaver' }),
      });
      leaver.push(((await response.json()) as { rawToken: string }).rawToken);
    }
    const button = page.getByRole('button', { name: /^Revoke all tokens of/ });
    await page.getByRole('button', { name: 'Clear' }).first().click();
    await expect.poll(() => button.isDisabled()).toBe(true);

    await page.locator('#f-user').fill('leaver');
    await page.getByRole('button', { name: 'Apply' }).first().click();
    await expect.poll(() => page.getByRole('button', { name: 'Revoke all tokens of user leaver' }).isEnabled()).toBe(true);
    await button.click();
    await confirm();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Revoked 2 tokens of user leaver.');
    await expect.poll(() => badgeOf('leaver-laptop').textContent()).toBe('revoked');
    expect(await badgeOf('leaver-ci').textContent()).toBe('revoked');
    expect(await Promise.all(leaver.map(status))).toEqual([401, 401]);
    expect(await row('mobile-app').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear' }).first().click();
    await expect.poll(() => row('mobile-app').count()).toBe(1);
  });

  it('signs out, forgetting the token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.getByLabel('Admin token').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Tokens' }).isVisible()).toBe(false);
  });

  it('is usable from the keyboard alone, with a visible focus ring', async () => {
    await page.goto(`${sample.url}/keysmith`);
    const focused = () => page.evaluate('document.activeElement && document.activeElement.id');
    for (let i = 0; i < 5 && (await focused()) !== 'signin-token'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('signin-token');
    await page.keyboard.type(adminToken);
    await page.keyboard.press('Enter');
    await expect.poll(() => row('billing-export').count()).toBe(1);

    for (let i = 0; i < 10 && (await focused()) !== 'c-name'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('c-name');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.type('keyboard-made');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('Raw token').inputValue()).toMatch(/^tok_/);
    expect(await status(await page.getByLabel('Raw token').inputValue())).toBe(200);
  });

  it('rotates, then revokes the selected tokens in one confirmation each', async () => {
    const names = ['mobile-app', 'billing-export'];
    const selectBoth = async () => {
      for (const name of names) await row(name).getByRole('checkbox').check();
      expect(await page.locator('#bulk-count').textContent()).toBe('2 selected');
    };
    await selectBoth();
    await page.getByRole('button', { name: 'Rotate selected' }).click();
    expect(await page.locator('#confirm-text').textContent()).toBe('Rotate 2 selected tokens?');
    await confirm();
    await expect.poll(() => page.locator('#secret-title').textContent()).toBe('Tokens rotated');
    const pairs = (await page.getByLabel('Raw token').inputValue()).split('  ').map((pair) => pair.split(' '));
    expect(pairs.map(([prefix]) => prefix).sort()).toEqual(
      (await Promise.all(names.map((name) => row(name).getAttribute('data-prefix')))).sort(),
    );
    for (const [, raw] of pairs) expect(await status(raw)).toBe(200);
    expect(await page.locator('#status').textContent()).toBe('Rotate: 2 done.');

    await selectBoth();
    await page.getByRole('button', { name: 'Revoke selected' }).click();
    await confirm();
    await expect.poll(() => Promise.all(names.map((name) => badgeOf(name).textContent()))).toEqual(['revoked', 'revoked']);
    expect(await page.locator('#status').textContent()).toBe('Revoke: 2 done.');
    for (const [, raw] of pairs) expect(await status(raw)).toBe(401);
  });
});
