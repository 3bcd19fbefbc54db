/// <reference lib="dom" />
import type { AuditLogPageDto } from '../dto/audit-log-page.dto.js';
import type { BulkItemResultDto, BulkResultDto } from '../dto/bulk-result.dto.js';
import type { RevokedCountDto } from '../dto/revoke-matching.dto.js';
import type { CreateTokenDto } from '../dto/create-token.dto.js';
import type { IssuedTokenDto } from '../dto/issued-token.dto.js';
import type { TokenPageDto } from '../dto/token-page.dto.js';
import type { TokenViewDto } from '../dto/token-view.dto.js';
import type { TokenUsageDto } from '../dto/token-usage.dto.js';
import type { UpdateTokenDto } from '../dto/update-token.dto.js';
import type { FieldErrorDto } from '../dto/validation-error.dto.js';

/** What the server tells the page: the only values from outside `adminPage` that exist in the browser. */
export interface AdminPageSettings {
  tokensPageSize: number;
  auditPageSize: number;
}

/**
 * The admin page's script. It runs in the browser, served as `(adminPage.toString())(settings)`
 * (see `admin-page.script.ts`): its body must use nothing of this module but types, so every
 * helper lives inside it.
 *
 * It renders every value with `textContent` (never as HTML), keeps the admin token in session
 * storage only, and talks to the API relative to the page's base.
 */
export function adminPage({ tokensPageSize, auditPageSize }: AdminPageSettings): void {
  const STORAGE_KEY = 'keysmith-admin-token';

  /** Rotate, disable, enable, revoke and purge: what the page asks, says and allows for each. */
  const LIFECYCLE_ACTIONS = {
    rotate: { verb: 'Rotate', past: 'Rotated', consequence: 'Choose how long its current value keeps working.', danger: false },
    disable: { verb: 'Disable', past: 'Disabled', consequence: 'It is refused until it is enabled again.', danger: true },
    enable: { verb: 'Enable', past: 'Enabled', consequence: 'It works again.', danger: false },
    revoke: { verb: 'Revoke', past: 'Revoked', consequence: 'It stops working at once and cannot be restored.', danger: true },
    purge: { verb: 'Purge', past: 'Purged', consequence: 'It is revoked and marked purged (a soft delete).', danger: true },
  } as const;
  type LifecycleAction = keyof typeof LIFECYCLE_ACTIONS;
  /** The actions with a bulk endpoint, which the selected rows can get. */
  const BULK_ACTIONS = ['rotate', 'revoke', 'purge'] as const;
  type BulkAction = (typeof BULK_ACTIONS)[number];

  type Props = Record<string, string | ((event: Event) => void)>;
  type ApiFailure = Error & { status: number };
  type ErrorBody = { fields?: FieldErrorDto[]; message?: string | string[] } | null;

  const state = { tokenOffset: 0, auditOffset: 0, selected: new Set<string>(), tokens: [] as TokenViewDto[], listedUser: '' };

  const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
  const input = (id: string) => $<HTMLInputElement>(id);
  const select = (id: string) => $<HTMLSelectElement>(id);

  function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: Array<Node | string> = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (typeof value === 'function') node.addEventListener(key.slice(2), value);
      else if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  const adminToken = () => sessionStorage.getItem(STORAGE_KEY);

  function say(message: string, bad = false): void {
    const status = $('status');
    status.textContent = message;
    status.className = bad ? 'status bad' : 'status';
  }

  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const isRefusal = (error: unknown) => {
    const status = (error as Partial<ApiFailure> | null)?.status;
    return status === 401 || status === 403;
  };

  function errorText(body: ErrorBody, status: number): string {
    if (body?.fields?.length) return body.fields.map((field) => field.errors.join('; ')).join(' · ');
    if (body?.message) return Array.isArray(body.message) ? body.message.join(' · ') : body.message;
    return `Request failed (${status}).`;
  }

  function parseJson(text: string): unknown {
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  }

  async function api<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'X-KEYSMITH-TOKEN': adminToken() ?? '' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`api/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = parseJson(await response.text());
    const fail = (message: string): ApiFailure => Object.assign(new Error(message), { status: response.status });
    if (response.status === 401) throw fail('The admin token was refused (401): it is missing, invalid, revoked or expired.');
    if (response.status === 403) throw fail('The admin token lacks the keysmith:admin scope (403).');
    if (!response.ok) throw fail(errorText(data as ErrorBody, response.status));
    return data as T;
  }

  function query(params: Record<string, string | number>): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== '') search.set(key, String(value));
    return search.toString();
  }

  const pad = (n: number) => String(n).padStart(2, '0');

  function formatDate(value: Date | string | null): string {
    if (!value) return '—';
    const d = new Date(value);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  }

  const localToIso = (value: string) => (value ? new Date(value).toISOString() : '');

  /** A refused admin token signs the page out; any other failure is said in the status line. */
  function onFailure(error: unknown): void {
    if (isRefusal(error)) signOut(messageOf(error));
    else say(messageOf(error), true);
  }

  /** Like `onFailure`, but says other failures in the element `id` (a form's error line). */
  const failIn = (id: string) => (error: unknown) => {
    if (isRefusal(error)) onFailure(error);
    else $(id).textContent = messageOf(error);
  };

  function showView(name: 'tokens' | 'audit'): Promise<void> {
    const tokens = name === 'tokens';
    $('view-tokens').hidden = !tokens;
    $('view-audit').hidden = tokens;
    $('tab-tokens').setAttribute('aria-pressed', String(tokens));
    $('tab-audit').setAttribute('aria-pressed', String(!tokens));
    return VIEWS[name].load();
  }

  function signedIn(yes: boolean): void {
    $('view-signin').hidden = yes;
    $('nav').hidden = !yes;
    $('sign-out').hidden = !yes;
    if (!yes) {
      $('view-tokens').hidden = true;
      $('view-audit').hidden = true;
      $('secret-panel').hidden = true;
    }
  }

  function signOut(message = ''): void {
    sessionStorage.removeItem(STORAGE_KEY);
    signedIn(false);
    $('signin-error').textContent = message;
    say(message ? '' : 'Signed out.');
    input('signin-token').focus();
  }

  async function signIn(event: Event): Promise<void> {
    event.preventDefault();
    const value = input('signin-token').value.trim();
    if (!value) return;
    sessionStorage.setItem(STORAGE_KEY, value);
    input('signin-token').value = '';
    try {
      await api<TokenPageDto>('GET', 'tokens?limit=1');
    } catch (error) {
      sessionStorage.removeItem(STORAGE_KEY);
      $('signin-error').textContent = messageOf(error);
      return;
    }
    $('signin-error').textContent = '';
    signedIn(true);
    say('Signed in.');
    await showView('tokens');
  }

  /** Asks in the dialog, with the choice of a grace period for a rotation; Cancel and Escape answer no. */
  function confirmAction(text: string, asksGrace = false): Promise<boolean> {
    return new Promise((resolve) => {
      const dialog = $<HTMLDialogElement>('confirm');
      const ok = () => done(true);
      const cancel = (event?: Event) => {
        event?.preventDefault();
        done(false);
      };
      function done(answer: boolean): void {
        $('confirm-ok').removeEventListener('click', ok);
        $('confirm-cancel').removeEventListener('click', cancel);
        dialog.removeEventListener('cancel', cancel);
        if (dialog.open) dialog.close();
        resolve(answer);
      }
      $('confirm-text').textContent = text;
      $('confirm-grace-row').hidden = !asksGrace;
      select('confirm-grace').value = '0';
      $('confirm-ok').addEventListener('click', ok);
      $('confirm-cancel').addEventListener('click', cancel);
      dialog.addEventListener('cancel', cancel);
      dialog.showModal();
      $('confirm-cancel').focus();
    });
  }

  function showSecret(title: string, rawToken: string): void {
    $('secret-title').textContent = title;
    input('secret-value').value = rawToken;
    $('secret-copied').textContent = '';
    $('secret-panel').hidden = false;
    $('secret-panel').focus();
  }

  function copySecret(): void {
    const secret = input('secret-value');
    const copied = () => ($('secret-copied').textContent = 'Copied to the clipboard.');
    const fallback = () => {
      secret.select();
      // The older clipboard API, for pages not served over HTTPS or localhost.
      const ok = typeof document.execCommand === 'function' && document.execCommand('copy');
      $('secret-copied').textContent = ok ? 'Copied to the clipboard.' : 'Select the token and copy it with your keyboard.';
    };
    if (typeof navigator.clipboard?.writeText === 'function') navigator.clipboard.writeText(secret.value).then(copied, fallback);
    else fallback();
  }

  function hideSecret(): void {
    input('secret-value').value = '';
    $('secret-panel').hidden = true;
    $('main').focus();
  }

  const badge = (kind: string, text: string) => el('span', { className: `badge badge-${kind}`, text });

  async function loadTokens(): Promise<void> {
    const params = {
      search: input('f-search').value.trim(),
      state: select('f-state').value,
      userId: input('f-user').value.trim(),
      sort: select('f-sort').value,
      order: select('f-order').value,
      limit: tokensPageSize,
      offset: state.tokenOffset,
    };
    try {
      renderTokens(await api<TokenPageDto>('GET', `tokens?${query(params)}`));
      state.listedUser = params.userId;
      updateRevokeUser();
    } catch (error) {
      onFailure(error);
    }
  }

  /** "Revoke all tokens of this user" applies to the user the listing is filtered on. */
  function updateRevokeUser(): void {
    const user = state.listedUser;
    const button = $<HTMLButtonElement>('revoke-user');
    button.disabled = user === '';
    button.setAttribute('aria-label', user === '' ? 'Revoke all tokens of this user' : `Revoke all tokens of user ${user}`);
    $('revoke-user-hint').textContent = user === '' ? 'Filter on a user id first.' : `Every token of user ${user} that is not revoked yet.`;
  }

  /** Offboarding: revokes every live token of the user the listing is filtered on, once the operator confirms. */
  async function revokeUserTokens(): Promise<void> {
    const user = state.listedUser;
    if (
      !(await confirmAction(
        `Revoke every token of user ${user} that is not revoked yet? They stop working at once and cannot be restored.`,
      ))
    )
      return;
    try {
      const { revoked } = await api<RevokedCountDto>('POST', 'tokens/revoke-all', { userId: user });
      say(`Revoked ${revoked} ${revoked === 1 ? 'token' : 'tokens'} of user ${user}.`);
      await loadTokens();
    } catch (error) {
      onFailure(error);
    }
  }

  function range(page: { total: number; offset: number; items: unknown[] }): string {
    if (page.total === 0) return '0 of 0';
    return `${page.offset + 1}–${page.offset + page.items.length} of ${page.total}`;
  }

  function pager(name: 'tokens' | 'audit', page: { total: number; offset: number; items: unknown[] }): void {
    $(`${name}-range`).textContent = range(page);
    $<HTMLButtonElement>(`${name}-prev`).disabled = page.offset === 0;
    $<HTMLButtonElement>(`${name}-next`).disabled = page.offset + page.items.length >= page.total;
  }

  function renderTokens(page: TokenPageDto): void {
    state.tokens = page.items;
    state.selected.clear();
    const body = $('token-rows');
    body.replaceChildren();
    if (page.items.length === 0) body.append(el('tr', {}, [el('td', { colspan: '10', className: 'empty', text: 'No tokens match.' })]));
    for (const token of page.items) body.append(tokenRow(token));
    pager('tokens', page);
    input('select-all').checked = false;
    updateBulk();
  }

  /** Purge applies to any token not purged yet; the others to live tokens, disable to enabled ones and enable to disabled ones. */
  function applies(action: LifecycleAction, token: TokenViewDto): boolean {
    const live = token.state !== 'revoked' && token.state !== 'purged';
    if (action === 'purge') return token.state !== 'purged';
    if (action === 'disable') return live && !token.disabled;
    if (action === 'enable') return live && token.disabled;
    return live;
  }

  /** The end of a rotation's grace period, while it is still ahead. */
  const graceEnd = (token: TokenViewDto) =>
    token.previousSecretExpiresAt && new Date(token.previousSecretExpiresAt).getTime() > Date.now() ? token.previousSecretExpiresAt : null;

  const splitComma = (text: string) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  /** The metadata field's JSON object, `null` when empty; throws a message for anything else. */
  function metadataFrom(text: string): Record<string, unknown> | null {
    if (!text.trim()) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error('Metadata must be JSON, such as {"team": "billing"}.');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('Metadata must be a JSON object.');
    return value as Record<string, unknown>;
  }

  function tokenRow(token: TokenViewDto): HTMLTableRowElement {
    const selectBox = el('input', {
      type: 'checkbox',
      'aria-label': `Select ${token.name} (${token.prefix})`,
      onchange: () => {
        if (selectBox.checked) state.selected.add(token.id);
        else state.selected.delete(token.id);
        updateBulk();
      },
    });
    // One of Disable and Enable: the one that applies (Disable, inactive, for a revoked token).
    const toggle: LifecycleAction = applies('enable', token) ? 'enable' : 'disable';
    const lifecycleButtons = (['rotate', toggle, 'revoke', 'purge'] as const).map((action) => {
      const { verb, danger } = LIFECYCLE_ACTIONS[action];
      const button = el('button', {
        type: 'button',
        className: danger ? 'small danger' : 'small',
        'aria-label': `${verb} ${token.name}`,
        text: verb,
        onclick: () => void changeTokens(action, [token]),
      });
      button.disabled = !applies(action, token);
      return button;
    });
    const editButton = el('button', {
      type: 'button',
      className: 'small',
      'aria-label': `Edit ${token.name}`,
      text: 'Edit',
      onclick: () => openEdit(token),
    });
    editButton.disabled = token.state === 'purged';
    const auditButton = el('button', {
      type: 'button',
      className: 'small',
      'aria-label': `Audit log of ${token.name}`,
      text: 'Audit',
      onclick: () => void auditOf(token),
    });
    const usageButton = el('button', {
      type: 'button',
      className: 'small',
      'aria-label': `Usage of ${token.name}`,
      text: 'Usage',
      onclick: () => void usageOf(token),
    });
    return el('tr', { 'data-id': token.id, 'data-prefix': token.prefix }, [
      el('td', {}, [selectBox]),
      el('td', { className: 'wrap' }, [
        el('strong', { text: token.name }),
        token.description ? el('div', { className: 'hint', text: token.description }) : '',
      ]),
      el('td', {}, [el('code', { text: token.prefix })]),
      el('td', {}, [
        badge(token.state, token.state),
        graceEnd(token) ? el('div', { className: 'hint', text: `old value until ${formatDate(graceEnd(token))}` }) : '',
      ]),
      el('td', { text: token.userId ?? '—' }),
      el('td', { className: 'wrap' }, [
        token.scopes.join(', ') || '—',
        token.allowedIps?.length ? el('div', { className: 'hint', text: `from ${token.allowedIps.join(', ')}` }) : '',
      ]),
      el('td', { text: formatDate(token.createdAt) }),
      el('td', { text: token.expiresAt ? formatDate(token.expiresAt) : 'never' }),
      el('td', { text: formatDate(token.lastUsedAt) }),
      el('td', {}, [el('div', { className: 'actions' }, [...lifecycleButtons, editButton, auditButton, usageButton])]),
    ]);
  }

  function updateBulk(): void {
    const count = state.selected.size;
    $('bulk-count').textContent = `${count} selected`;
    for (const action of BULK_ACTIONS) $<HTMLButtonElement>(`bulk-${action}`).disabled = count === 0;
  }

  /**
   * Sends `action` for `tokens`: to the token's own endpoint for one (so its audit row names that
   * endpoint), to the bulk endpoint for several. Either way the answer is one result per token.
   */
  async function sendLifecycleAction(action: LifecycleAction, tokens: TokenViewDto[], graceSeconds: number): Promise<BulkItemResultDto[]> {
    const grace = action === 'rotate' && graceSeconds > 0 ? { graceSeconds } : undefined;
    if (tokens.length > 1) {
      const body = { ids: tokens.map((token) => token.id), ...grace };
      return (await api<BulkResultDto>('POST', `tokens/bulk/${action as BulkAction}`, body)).results;
    }
    const { id } = tokens[0];
    const answer = await api<IssuedTokenDto | TokenViewDto>('POST', `tokens/${encodeURIComponent(id)}/${action}`, grace);
    return [{ id, ok: true, ...('rawToken' in answer ? answer : { token: answer }) }];
  }

  /**
   * Rotates, revokes or purges `tokens` (a row's one, or the selected ones) once the operator
   * confirms, then shows any new raw tokens once.
   */
  async function changeTokens(action: LifecycleAction, tokens: TokenViewDto[]): Promise<void> {
    const { verb, past, consequence } = LIFECYCLE_ACTIONS[action];
    const question =
      tokens.length === 1 ? `${verb} ${tokens[0].name} (${tokens[0].prefix})? ${consequence}` : `${verb} ${tokens.length} selected tokens?`;
    if (!(await confirmAction(question, action === 'rotate'))) return;
    try {
      const results = await sendLifecycleAction(action, tokens, Number(select('confirm-grace').value));
      const done = results.flatMap((result) => (result.ok && result.token ? [result.token] : []));
      const refused = results.filter((result) => !result.ok);
      const issued = results.flatMap((result) => (result.token && result.rawToken ? [{ ...result.token, rawToken: result.rawToken }] : []));
      if (issued.length === 1) showSecret(`Token rotated: ${issued[0].name}`, issued[0].rawToken);
      if (issued.length > 1) showSecret('Tokens rotated', issued.map((token) => `${token.prefix} ${token.rawToken}`).join('  '));
      if (done.length === 1 && refused.length === 0) say(`${past} ${done[0].prefix}.`);
      else
        say(
          `${verb}: ${done.length} done${refused.length ? `, ${refused.length} refused (${refused[0].error})` : ''}.`,
          refused.length > 0,
        );
      await loadTokens();
    } catch (error) {
      onFailure(error);
    }
  }

  const selectedTokens = () => state.tokens.filter((token) => state.selected.has(token.id));

  async function create(event: Event): Promise<void> {
    event.preventDefault();
    const body: CreateTokenDto = { name: input('c-name').value, tokenType: select('c-type').value as CreateTokenDto['tokenType'] };
    if (input('c-description').value) body.description = input('c-description').value;
    if (input('c-user').value.trim()) body.userId = input('c-user').value.trim();
    const scopes = input('c-scopes')
      .value.split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    if (scopes.length) body.scopes = scopes;
    const expiry = select('c-expiry').value;
    if (expiry === 'never') body.expiresAt = null;
    if (expiry === 'date') {
      if (!input('c-date').value) {
        $('create-error').textContent = 'Choose the expiry date.';
        return;
      }
      body.expiresAt = localToIso(input('c-date').value);
    }
    const allowedIps = splitComma(input('c-ips').value);
    if (allowedIps.length) body.allowedIps = allowedIps;
    try {
      const metadata = metadataFrom(input('c-metadata').value);
      if (metadata) body.metadata = metadata;
    } catch (error) {
      $('create-error').textContent = messageOf(error);
      return;
    }
    $('create-error').textContent = '';
    try {
      const issued = await api<IssuedTokenDto>('POST', 'tokens', body);
      $<HTMLFormElement>('create-form').reset();
      $('c-date-row').hidden = true;
      showSecret(`Token created: ${issued.token.name}`, issued.rawToken);
      say(`Created ${issued.token.prefix}.`);
      state.tokenOffset = 0;
      await loadTokens();
    } catch (error) {
      failIn('create-error')(error);
    }
  }

  /** The token the edit dialog is open for. */
  let editing: TokenViewDto | null = null;

  function openEdit(token: TokenViewDto): void {
    editing = token;
    $('edit-title').textContent = `Edit ${token.name} (${token.prefix})`;
    input('e-name').value = token.name;
    input('e-description').value = token.description;
    input('e-scopes').value = token.scopes.join(', ');
    input('e-ips').value = (token.allowedIps ?? []).join(', ');
    input('e-metadata').value = token.metadata ? JSON.stringify(token.metadata) : '';
    $('edit-error').textContent = '';
    $<HTMLDialogElement>('edit').showModal();
    input('e-name').focus();
  }

  /** Sends the fields of the edit dialog that differ from the token's, with `PATCH`. */
  async function saveEdit(event: Event): Promise<void> {
    event.preventDefault();
    const token = editing;
    if (!token) return;
    const changes: UpdateTokenDto = {};
    try {
      const metadata = metadataFrom(input('e-metadata').value);
      if (JSON.stringify(metadata) !== JSON.stringify(token.metadata)) changes.metadata = metadata;
    } catch (error) {
      $('edit-error').textContent = messageOf(error);
      return;
    }
    if (input('e-name').value !== token.name) changes.name = input('e-name').value;
    if (input('e-description').value !== token.description) changes.description = input('e-description').value;
    const scopes = splitComma(input('e-scopes').value);
    if (scopes.join(',') !== token.scopes.join(',')) changes.scopes = scopes;
    const ips = splitComma(input('e-ips').value);
    if (ips.join(',') !== (token.allowedIps ?? []).join(',')) changes.allowedIps = ips.length ? ips : null;
    try {
      await api<TokenViewDto>('PATCH', `tokens/${encodeURIComponent(token.id)}`, changes);
      $<HTMLDialogElement>('edit').close();
      say(`Updated ${token.prefix}.`);
      await loadTokens();
    } catch (error) {
      failIn('edit-error')(error);
    }
  }

  const HOUR_MS = 3_600_000;
  const DAY_MS = 24 * HOUR_MS;

  /** The token's requests over the last 24 hours and 30 days, successes and refusals apart, and its quota. */
  async function usageOf(token: TokenViewDto): Promise<void> {
    $('usage-title').textContent = `Usage of ${token.name} (${token.prefix})`;
    $('usage-quota').textContent = token.quota ? `Quota: ${token.quota.remaining} left (as last written).` : 'No quota.';
    $('usage-error').textContent = '';
    $('usage-hours').replaceChildren();
    $('usage-days').replaceChildren();
    $<HTMLDialogElement>('usage').showModal();
    const now = Date.now();
    const read = (bucket: 'hour' | 'day', slots: number, size: number) => {
      const since = new Date((Math.floor(now / size) - slots + 1) * size).toISOString();
      return api<TokenUsageDto>('GET', `tokens/${encodeURIComponent(token.id)}/usage?${query({ since, bucket })}`);
    };
    try {
      const [hours, days] = await Promise.all([read('hour', 24, HOUR_MS), read('day', 30, DAY_MS)]);
      drawUsage('usage-hours', hours, 24, HOUR_MS, 'last 24 hours');
      drawUsage('usage-days', days, 30, DAY_MS, 'last 30 days');
    } catch (error) {
      failIn('usage-error')(error);
    }
  }

  /** One column per bucket from `usage.since`, empty ones included, each bar as high as its share of the busiest bucket. */
  function drawUsage(id: string, usage: TokenUsageDto, slots: number, size: number, label: string): void {
    const byStart = new Map(usage.buckets.map((bucket) => [new Date(bucket.start).getTime(), bucket]));
    const first = new Date(usage.since).getTime();
    const busiest = Math.max(1, ...usage.buckets.map((bucket) => bucket.successes + bucket.refusals));
    const columns = Array.from({ length: slots }, (_, i) => {
      const start = first + i * size;
      const { successes = 0, refusals = 0 } = byStart.get(start) ?? {};
      const part = (className: string, count: number) => {
        const node = el('span', { className });
        node.style.height = `${(100 * count) / busiest}%`;
        return node;
      };
      return el('div', { className: 'col', title: `${new Date(start).toISOString()}: ${successes} successes, ${refusals} refusals` }, [
        part('ok', successes),
        part('failed', refusals),
      ]);
    });
    const chart = $(id);
    chart.setAttribute('aria-label', `${label}: ${usage.successes} successes, ${usage.refusals} refusals`);
    chart.replaceChildren(...columns);
  }

  async function auditOf(token: TokenViewDto): Promise<void> {
    $<HTMLFormElement>('audit-filters').reset();
    input('a-token').value = token.id;
    state.auditOffset = 0;
    await showView('audit');
  }

  async function loadAudit(): Promise<void> {
    const params = {
      tokenId: input('a-token').value.trim(),
      action: select('a-action').value,
      status: input('a-status').value,
      from: localToIso(input('a-from').value),
      to: localToIso(input('a-to').value),
      limit: auditPageSize,
      offset: state.auditOffset,
    };
    $('audit-error').textContent = '';
    try {
      renderAudit(await api<AuditLogPageDto>('GET', `audit-logs?${query(params)}`));
    } catch (error) {
      failIn('audit-error')(error);
    }
  }

  const actionKind = (action: string) => (action === 'auth_failed' ? 'failed' : action === 'auth_success' ? 'ok' : 'life');

  function details(extra: Record<string, unknown> | null): string {
    return Object.entries(extra ?? {})
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
  }

  function renderAudit(page: AuditLogPageDto): void {
    const body = $('audit-rows');
    body.replaceChildren();
    if (page.items.length === 0) body.append(el('tr', {}, [el('td', { colspan: '7', className: 'empty', text: 'No audit rows match.' })]));
    for (const row of page.items) {
      body.append(
        el('tr', { 'data-action': row.action }, [
          el('td', { text: formatDate(row.createdAt) }),
          el('td', {}, [badge(actionKind(row.action), row.action)]),
          el('td', {}, [row.tokenId ? el('code', { text: row.tokenId.slice(0, 8), title: row.tokenId }) : '—']),
          el('td', { className: 'wrap', text: row.method ? `${row.method} ${row.path ?? ''}` : '—' }),
          el('td', { text: row.statusCode === null ? '—' : String(row.statusCode) }),
          el('td', { className: 'wrap', text: row.ipAddress || '—' }),
          el('td', { className: 'wrap', text: details(row.extra) || '—' }),
        ]),
      );
    }
    pager('audit', page);
  }

  /** The two paginated views: their filter form, offset in `state`, page size and loader. */
  const VIEWS = {
    tokens: { filters: 'token-filters', offset: 'tokenOffset', pageSize: tokensPageSize, load: loadTokens },
    audit: { filters: 'audit-filters', offset: 'auditOffset', pageSize: auditPageSize, load: loadAudit },
  } as const;

  /** Wires the controls. Handlers that load data report their own failures. */
  function start(): void {
    const on = (id: string, type: string, handler: (event: Event) => unknown) =>
      $(id).addEventListener(type, (event) => void handler(event));
    on('signin-form', 'submit', signIn);
    on('sign-out', 'click', () => signOut());
    on('tab-tokens', 'click', () => showView('tokens'));
    on('tab-audit', 'click', () => showView('audit'));
    for (const view of ['tokens', 'audit'] as const) {
      const { filters, offset, pageSize, load } = VIEWS[view];
      const goTo = (next: number) => {
        state[offset] = Math.max(0, next);
        return load();
      };
      on(filters, 'submit', (event) => {
        event.preventDefault();
        return goTo(0);
      });
      // Once the form has cleared its fields.
      on(filters, 'reset', () => setTimeout(() => void goTo(0)));
      on(`${view}-prev`, 'click', () => goTo(state[offset] - pageSize));
      on(`${view}-next`, 'click', () => goTo(state[offset] + pageSize));
    }
    on('select-all', 'change', () => {
      const checked = input('select-all').checked;
      document.querySelectorAll<HTMLInputElement>('#token-rows input[type="checkbox"]').forEach((box) => (box.checked = checked));
      state.selected = new Set(checked ? state.tokens.map((token) => token.id) : []);
      updateBulk();
    });
    for (const action of BULK_ACTIONS) on(`bulk-${action}`, 'click', () => changeTokens(action, selectedTokens()));
    on('revoke-user', 'click', revokeUserTokens);
    on('edit-form', 'submit', saveEdit);
    on('edit-cancel', 'click', () => $<HTMLDialogElement>('edit').close());
    on('usage-close', 'click', () => $<HTMLDialogElement>('usage').close());
    on('create-form', 'submit', create);
    on('c-expiry', 'change', () => ($('c-date-row').hidden = select('c-expiry').value !== 'date'));
    on('secret-copy', 'click', copySecret);
    on('secret-done', 'click', hideSecret);
    signedIn(adminToken() !== null);
    if (adminToken() !== null) void showView('tokens');
  }

  start();
}
