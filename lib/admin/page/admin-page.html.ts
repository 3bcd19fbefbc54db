import { AUDIT_ACTIONS } from '../../entities/token-audit-log.entity.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/** The admin page, with `base` (see `adminPageBase`) as its `<base href>`. */
export function renderAdminPage(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<base href="${escapeHtml(base)}">
<title>Keysmith admin</title>
<link rel="stylesheet" href="assets/admin.css">
<script src="assets/admin.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
  <h1>Keysmith admin</h1>
  <nav id="nav" aria-label="Views" hidden>
    <button type="button" class="tab" id="tab-tokens" aria-controls="view-tokens" aria-pressed="true">Tokens</button>
    <button type="button" class="tab" id="tab-audit" aria-controls="view-audit" aria-pressed="false">Audit log</button>
  </nav>
  <button type="button" id="sign-out" class="ghost" hidden>Sign out</button>
</header>
<div id="status" class="status" role="status" aria-live="polite"></div>
<main id="main" tabindex="-1">

<section id="view-signin" aria-labelledby="signin-title" class="card narrow">
  <h2 id="signin-title">Sign in</h2>
  <p>Paste a token with the <code>keysmith:admin</code> scope. It stays in this tab only (session storage) and is sent in the <code>X-KEYSMITH-TOKEN</code> header.</p>
  <form id="signin-form">
    <label for="signin-token">Admin token</label>
    <input id="signin-token" name="token" type="password" autocomplete="off" spellcheck="false" required>
    <p id="signin-error" class="error" role="alert"></p>
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>

<section id="secret-panel" class="card secret" aria-labelledby="secret-title" tabindex="-1" hidden>
  <h2 id="secret-title">Token created</h2>
  <p class="warn"><strong>Copy this token now: you will not see this again.</strong> Only its hash is stored.</p>
  <label for="secret-value">Raw token</label>
  <div class="row">
    <input id="secret-value" type="text" readonly spellcheck="false">
    <button type="button" id="secret-copy" class="primary">Copy</button>
    <button type="button" id="secret-done">Done</button>
  </div>
  <p id="secret-copied" class="ok" aria-live="polite"></p>
</section>

<section id="view-tokens" aria-labelledby="tokens-title" hidden>
  <div class="card">
    <h2 id="create-title">Create a token</h2>
    <form id="create-form" class="create" aria-labelledby="create-title">
      <div><label for="c-name">Name</label><input id="c-name" name="name" required maxlength="128"></div>
      <div><label for="c-description">Description</label><input id="c-description" name="description" maxlength="2000"></div>
      <div><label for="c-user">User id</label><input id="c-user" name="userId" maxlength="255"></div>
      <div><label for="c-scopes">Scopes <span class="hint">(comma-separated; empty: default)</span></label><input id="c-scopes" name="scopes"></div>
      <div><label for="c-type">Type</label><select id="c-type" name="tokenType"><option value="user">user</option><option value="system">system</option></select></div>
      <div><label for="c-expiry">Expiry</label>
        <select id="c-expiry" name="expiry"><option value="default">Default expiry</option><option value="never">Never expires</option><option value="date">On a date</option></select></div>
      <div id="c-date-row" hidden><label for="c-date">Expires at (local time)</label><input id="c-date" type="datetime-local"></div>
      <div><label for="c-ips">Allowed addresses <span class="hint">(IPs or CIDR ranges, comma-separated; empty: any)</span></label><input id="c-ips" name="allowedIps" spellcheck="false"></div>
      <div><label for="c-metadata">Metadata <span class="hint">(a JSON object)</span></label><input id="c-metadata" name="metadata" spellcheck="false" placeholder='{"team": "billing"}'></div>
      <div class="actions"><button type="submit" class="primary">Create token</button></div>
    </form>
    <p id="create-error" class="error" role="alert"></p>
  </div>

  <div class="card">
    <h2 id="tokens-title">Tokens</h2>
    <form id="token-filters" class="filters" role="search" aria-label="Filter tokens">
      <div><label for="f-search">Name or prefix</label><input id="f-search" type="search" maxlength="128"></div>
      <div><label for="f-state">State</label>
        <select id="f-state"><option value="">Any</option><option value="active">Active</option><option value="disabled">Disabled</option><option value="expired">Expired</option><option value="revoked">Revoked</option><option value="purged">Purged</option></select></div>
      <div><label for="f-user">User id</label><input id="f-user" type="text" maxlength="255"></div>
      <div><label for="f-sort">Sort by</label>
        <select id="f-sort"><option value="createdAt">Created</option><option value="name">Name</option><option value="expiresAt">Expires</option><option value="lastUsedAt">Last used</option></select></div>
      <div><label for="f-order">Order</label>
        <select id="f-order"><option value="desc">Descending</option><option value="asc">Ascending</option></select></div>
      <div class="actions"><button type="submit" class="primary">Apply</button><button type="reset">Clear</button></div>
    </form>
    <div class="bulk" role="group" aria-label="Selected tokens">
      <span id="bulk-count">0 selected</span>
      <button type="button" id="bulk-rotate" disabled>Rotate selected</button>
      <button type="button" id="bulk-revoke" class="danger" disabled>Revoke selected</button>
      <button type="button" id="bulk-purge" class="danger" disabled>Purge selected</button>
    </div>
    <div class="bulk" role="group" aria-label="Tokens of the user filtered on">
      <button type="button" id="revoke-user" class="danger" disabled>Revoke all tokens of this user</button>
      <span id="revoke-user-hint" class="hint">Filter on a user id first.</span>
    </div>
    <div class="table-wrap">
      <table id="token-table">
        <caption class="sr-only">Tokens</caption>
        <thead><tr>
          <th scope="col"><input type="checkbox" id="select-all" aria-label="Select all tokens on this page"></th>
          <th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">State</th><th scope="col">User</th>
          <th scope="col">Scopes</th><th scope="col">Created (UTC)</th><th scope="col">Expires</th><th scope="col">Last used</th>
          <th scope="col">Actions</th>
        </tr></thead>
        <tbody id="token-rows"></tbody>
      </table>
    </div>
    <div class="pager"><button type="button" id="tokens-prev">Previous</button><span id="tokens-range"></span><button type="button" id="tokens-next">Next</button></div>
  </div>
</section>

<section id="view-audit" aria-labelledby="audit-title" class="card" hidden>
  <h2 id="audit-title">Audit log</h2>
  <form id="audit-filters" class="filters" role="search" aria-label="Filter the audit log">
    <div><label for="a-token">Token id</label><input id="a-token" type="text" maxlength="36" spellcheck="false"></div>
    <div><label for="a-action">Action</label>
      <select id="a-action"><option value="">Any</option>${AUDIT_ACTIONS.map((action) => `<option>${action}</option>`).join('')}</select></div>
    <div><label for="a-status">Status</label><input id="a-status" type="number" min="100" max="599" inputmode="numeric"></div>
    <div><label for="a-from">From</label><input id="a-from" type="datetime-local"></div>
    <div><label for="a-to">To</label><input id="a-to" type="datetime-local"></div>
    <div class="actions"><button type="submit" class="primary">Apply</button><button type="reset">Clear</button></div>
  </form>
  <p id="audit-error" class="error" role="alert"></p>
  <div class="table-wrap">
    <table id="audit-table">
      <caption class="sr-only">Audit log</caption>
      <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Action</th><th scope="col">Token</th><th scope="col">Request</th><th scope="col">Status</th><th scope="col">Client</th><th scope="col">Details</th></tr></thead>
      <tbody id="audit-rows"></tbody>
    </table>
  </div>
  <div class="pager"><button type="button" id="audit-prev">Previous</button><span id="audit-range"></span><button type="button" id="audit-next">Next</button></div>
</section>
</main>

<dialog id="confirm" aria-labelledby="confirm-title">
  <h2 id="confirm-title">Are you sure?</h2>
  <p id="confirm-text"></p>
  <div id="confirm-grace-row" hidden>
    <label for="confirm-grace">The current value</label>
    <select id="confirm-grace"><option value="0">stops working at once</option><option value="3600">keeps working for 1 hour</option><option value="86400">keeps working for 24 hours</option><option value="604800">keeps working for 7 days</option></select>
  </div>
  <div class="row end">
    <button type="button" id="confirm-cancel">Cancel</button>
    <button type="button" id="confirm-ok" class="danger">Confirm</button>
  </div>
</dialog>

<dialog id="usage" aria-labelledby="usage-title">
  <h2 id="usage-title">Usage</h2>
  <p id="usage-quota"></p>
  <h3>Last 24 hours <span class="hint">(by hour, UTC)</span></h3>
  <div id="usage-hours" class="chart" role="img"></div>
  <h3>Last 30 days <span class="hint">(by day, UTC)</span></h3>
  <div id="usage-days" class="chart" role="img"></div>
  <p class="hint"><span class="key ok"></span> successes <span class="key failed"></span> refusals</p>
  <p id="usage-error" class="error" role="alert"></p>
  <div class="row end"><button type="button" id="usage-close">Close</button></div>
</dialog>

<dialog id="edit" aria-labelledby="edit-title">
  <h2 id="edit-title">Edit token</h2>
  <form id="edit-form" method="dialog">
    <label for="e-name">Token name</label><input id="e-name" required maxlength="128">
    <label for="e-description">Token description</label><input id="e-description" maxlength="2000">
    <label for="e-scopes">Token scopes <span class="hint">(comma-separated)</span></label><input id="e-scopes">
    <label for="e-ips">Token allowed addresses <span class="hint">(comma-separated; empty: any)</span></label><input id="e-ips" spellcheck="false">
    <label for="e-metadata">Token metadata <span class="hint">(a JSON object; empty: none)</span></label><input id="e-metadata" spellcheck="false">
    <p id="edit-error" class="error" role="alert"></p>
    <div class="row end">
      <button type="button" id="edit-cancel">Cancel</button>
      <button type="submit" id="edit-save" class="primary">Save</button>
    </div>
  </form>
</dialog>
</body>
</html>
`;
}
