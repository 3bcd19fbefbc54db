/**
 * The admin page's script. It renders every value with `textContent` (never as HTML), keeps the
 * admin token in session storage only, and talks to the API relative to the page's base.
 */
export const ADMIN_PAGE_SCRIPT = String.raw`
'use strict';
(function () {
  var STORAGE_KEY = 'keysmith-admin-token';
  var TOKENS_PAGE = 25;
  var AUDIT_PAGE = 50;
  var state = { tokenOffset: 0, tokenTotal: 0, auditOffset: 0, auditTotal: 0, selected: new Set(), tokens: [] };

  function $(id) { return document.getElementById(id); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === 'text') node.textContent = props[key];
      else if (key === 'className') node.className = props[key];
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), props[key]);
      else node.setAttribute(key, props[key]);
    });
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }

  function adminToken() { return sessionStorage.getItem(STORAGE_KEY); }

  function say(message, bad) {
    var status = $('status');
    status.textContent = message;
    status.className = bad ? 'status bad' : 'status';
  }

  function errorText(body, status) {
    if (body && Array.isArray(body.fields) && body.fields.length) {
      return body.fields.map(function (f) { return f.errors.join('; '); }).join(' · ');
    }
    if (body && body.message) return Array.isArray(body.message) ? body.message.join(' · ') : String(body.message);
    return 'Request failed (' + status + ').';
  }

  function api(method, path, body) {
    var headers = { 'X-KEYSMITH-TOKEN': adminToken() || '' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch('api/' + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (response.status === 401 || response.status === 403) {
            var refused = new Error(response.status === 401
              ? 'The admin token was refused (401): it is missing, invalid, revoked or expired.'
              : 'The admin token lacks the keysmith:admin scope (403).');
            refused.status = response.status;
            throw refused;
          }
          if (!response.ok) {
            var failed = new Error(errorText(data, response.status));
            failed.status = response.status;
            throw failed;
          }
          return data;
        });
      });
  }

  function query(params) {
    var search = new URLSearchParams();
    Object.keys(params).forEach(function (key) {
      if (params[key] !== '' && params[key] !== undefined && params[key] !== null) search.set(key, String(params[key]));
    });
    return search.toString();
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function formatDate(value) {
    if (!value) return '—';
    var d = new Date(value);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }

  function localToIso(value) { return value ? new Date(value).toISOString() : ''; }

  function onFailure(error) {
    if (error.status === 401 || error.status === 403) return signOut(error.message);
    say(error.message, true);
  }

  function showView(name) {
    var tokens = name === 'tokens';
    $('view-tokens').hidden = !tokens;
    $('view-audit').hidden = tokens;
    $('tab-tokens').setAttribute('aria-pressed', String(tokens));
    $('tab-audit').setAttribute('aria-pressed', String(!tokens));
    return tokens ? loadTokens() : loadAudit();
  }

  function signedIn(yes) {
    $('view-signin').hidden = yes;
    $('nav').hidden = !yes;
    $('sign-out').hidden = !yes;
    if (!yes) { $('view-tokens').hidden = true; $('view-audit').hidden = true; $('secret-panel').hidden = true; }
  }

  function signOut(message) {
    sessionStorage.removeItem(STORAGE_KEY);
    signedIn(false);
    $('signin-error').textContent = message || '';
    say(message ? '' : 'Signed out.');
    $('signin-token').focus();
  }

  function signIn(event) {
    event.preventDefault();
    var value = $('signin-token').value.trim();
    if (!value) return;
    sessionStorage.setItem(STORAGE_KEY, value);
    $('signin-token').value = '';
    api('GET', 'tokens?limit=1').then(function () {
      $('signin-error').textContent = '';
      signedIn(true);
      say('Signed in.');
      return showView('tokens');
    }).catch(function (error) {
      sessionStorage.removeItem(STORAGE_KEY);
      $('signin-error').textContent = error.message;
    });
  }

  function confirmAction(text) {
    return new Promise(function (resolve) {
      var dialog = $('confirm');
      $('confirm-text').textContent = text;
      function done(answer) {
        $('confirm-ok').removeEventListener('click', ok);
        $('confirm-cancel').removeEventListener('click', cancel);
        dialog.removeEventListener('cancel', cancel);
        if (dialog.open) dialog.close();
        resolve(answer);
      }
      function ok() { done(true); }
      function cancel(event) { if (event) event.preventDefault(); done(false); }
      $('confirm-ok').addEventListener('click', ok);
      $('confirm-cancel').addEventListener('click', cancel);
      dialog.addEventListener('cancel', cancel);
      dialog.showModal();
      $('confirm-cancel').focus();
    });
  }

  function showSecret(title, rawToken) {
    $('secret-title').textContent = title;
    $('secret-value').value = rawToken;
    $('secret-copied').textContent = '';
    $('secret-panel').hidden = false;
    $('secret-panel').focus();
  }

  function copySecret() {
    var input = $('secret-value');
    function copied() { $('secret-copied').textContent = 'Copied to the clipboard.'; }
    function fallback() {
      input.select();
      var ok = document.execCommand && document.execCommand('copy');
      $('secret-copied').textContent = ok ? 'Copied to the clipboard.' : 'Select the token and copy it with your keyboard.';
    }
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(input.value).then(copied, fallback);
    else fallback();
  }

  function hideSecret() {
    $('secret-value').value = '';
    $('secret-panel').hidden = true;
    $('main').focus();
  }

  function badge(stateName) { return el('span', { className: 'badge badge-' + stateName, text: stateName }); }

  function tokenFilters() {
    return {
      search: $('f-search').value.trim(), state: $('f-state').value, userId: $('f-user').value.trim(),
      sort: $('f-sort').value, order: $('f-order').value,
    };
  }

  function loadTokens() {
    var params = tokenFilters();
    params.limit = TOKENS_PAGE;
    params.offset = state.tokenOffset;
    return api('GET', 'tokens?' + query(params)).then(renderTokens).catch(onFailure);
  }

  function renderTokens(page) {
    state.tokens = page.items;
    state.tokenTotal = page.total;
    state.selected.clear();
    var body = $('token-rows');
    body.replaceChildren();
    if (page.items.length === 0) body.append(el('tr', {}, [el('td', { colspan: '10', className: 'empty', text: 'No tokens match.' })]));
    page.items.forEach(function (token) { body.append(tokenRow(token)); });
    $('tokens-range').textContent = range(page);
    $('tokens-prev').disabled = page.offset === 0;
    $('tokens-next').disabled = page.offset + page.items.length >= page.total;
    $('select-all').checked = false;
    updateBulk();
  }

  function range(page) {
    if (page.total === 0) return '0 of 0';
    return (page.offset + 1) + '–' + (page.offset + page.items.length) + ' of ' + page.total;
  }

  function tokenRow(token) {
    var live = token.state !== 'revoked' && token.state !== 'purged';
    var select = el('input', { type: 'checkbox', 'aria-label': 'Select ' + token.name + ' (' + token.prefix + ')', onchange: function (event) {
      if (event.target.checked) state.selected.add(token.id); else state.selected.delete(token.id);
      updateBulk();
    } });
    var actions = el('div', { className: 'actions' }, [
      el('button', { type: 'button', className: 'small', 'aria-label': 'Rotate ' + token.name, text: 'Rotate', onclick: function () { rotate(token); } }),
      el('button', { type: 'button', className: 'small danger', 'aria-label': 'Revoke ' + token.name, text: 'Revoke', onclick: function () { revoke(token); } }),
      el('button', { type: 'button', className: 'small danger', 'aria-label': 'Purge ' + token.name, text: 'Purge', onclick: function () { purge(token); } }),
      el('button', { type: 'button', className: 'small', 'aria-label': 'Audit log of ' + token.name, text: 'Audit', onclick: function () { auditOf(token); } }),
    ]);
    if (!live) actions.children[0].disabled = true;
    if (token.state === 'revoked' || token.state === 'purged') actions.children[1].disabled = true;
    if (token.state === 'purged') actions.children[2].disabled = true;
    var row = el('tr', { 'data-id': token.id, 'data-prefix': token.prefix }, [
      el('td', {}, [select]),
      el('td', { className: 'wrap' }, [el('strong', { text: token.name }), token.description ? el('div', { className: 'hint', text: token.description }) : '']),
      el('td', {}, [el('code', { text: token.prefix })]),
      el('td', {}, [badge(token.state)]),
      el('td', { text: token.userId === null ? '—' : token.userId }),
      el('td', { className: 'wrap', text: token.scopes.join(', ') || '—' }),
      el('td', { text: formatDate(token.createdAt) }),
      el('td', { text: token.expiresAt ? formatDate(token.expiresAt) : 'never' }),
      el('td', { text: formatDate(token.lastUsedAt) }),
      el('td', {}, [actions]),
    ]);
    return row;
  }

  function updateBulk() {
    var count = state.selected.size;
    $('bulk-count').textContent = count + ' selected';
    ['bulk-rotate', 'bulk-revoke', 'bulk-purge'].forEach(function (id) { $(id).disabled = count === 0; });
  }

  function rotate(token) {
    confirmAction('Rotate ' + token.name + ' (' + token.prefix + ')? Its current value stops working at once.').then(function (yes) {
      if (!yes) return;
      return api('POST', 'tokens/' + encodeURIComponent(token.id) + '/rotate').then(function (issued) {
        showSecret('Token rotated: ' + issued.token.name, issued.rawToken);
        say('Rotated ' + issued.token.prefix + '.');
        return loadTokens();
      });
    }).catch(onFailure);
  }

  function revoke(token) {
    confirmAction('Revoke ' + token.name + ' (' + token.prefix + ')? It stops working at once and cannot be restored.').then(function (yes) {
      if (!yes) return;
      return api('POST', 'tokens/' + encodeURIComponent(token.id) + '/revoke').then(function () {
        say('Revoked ' + token.prefix + '.');
        return loadTokens();
      });
    }).catch(onFailure);
  }

  function purge(token) {
    confirmAction('Purge ' + token.name + ' (' + token.prefix + ')? It is revoked and marked purged (a soft delete).').then(function (yes) {
      if (!yes) return;
      return api('POST', 'tokens/' + encodeURIComponent(token.id) + '/purge').then(function () {
        say('Purged ' + token.prefix + '.');
        return loadTokens();
      });
    }).catch(onFailure);
  }

  function bulk(action, verb) {
    var ids = Array.from(state.selected);
    confirmAction(verb + ' ' + ids.length + ' selected token(s)?').then(function (yes) {
      if (!yes) return;
      return api('POST', 'tokens/bulk/' + action, { ids: ids }).then(function (answer) {
        var failed = answer.results.filter(function (r) { return !r.ok; });
        var rotated = answer.results.filter(function (r) { return r.ok && r.rawToken; });
        if (rotated.length) {
          showSecret('Tokens rotated', rotated.map(function (r) { return r.token.prefix + ' ' + r.rawToken; }).join('  '));
        }
        say(verb + ': ' + (answer.results.length - failed.length) + ' done' + (failed.length ? ', ' + failed.length + ' refused (' + failed[0].error + ')' : '') + '.', failed.length > 0);
        return loadTokens();
      });
    }).catch(onFailure);
  }

  function create(event) {
    event.preventDefault();
    var body = { name: $('c-name').value, tokenType: $('c-type').value };
    if ($('c-description').value) body.description = $('c-description').value;
    if ($('c-user').value.trim()) body.userId = $('c-user').value.trim();
    var scopes = $('c-scopes').value.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
    if (scopes.length) body.scopes = scopes;
    var expiry = $('c-expiry').value;
    if (expiry === 'never') body.expiresAt = null;
    if (expiry === 'date') {
      if (!$('c-date').value) { $('create-error').textContent = 'Choose the expiry date.'; return; }
      body.expiresAt = localToIso($('c-date').value);
    }
    $('create-error').textContent = '';
    api('POST', 'tokens', body).then(function (issued) {
      $('create-form').reset();
      $('c-date-row').hidden = true;
      showSecret('Token created: ' + issued.token.name, issued.rawToken);
      say('Created ' + issued.token.prefix + '.');
      state.tokenOffset = 0;
      return loadTokens();
    }).catch(function (error) {
      if (error.status === 401 || error.status === 403) return onFailure(error);
      $('create-error').textContent = error.message;
    });
  }

  function auditOf(token) {
    $('audit-filters').reset();
    $('a-token').value = token.id;
    state.auditOffset = 0;
    showView('audit');
  }

  function loadAudit() {
    var params = {
      tokenId: $('a-token').value.trim(), action: $('a-action').value, status: $('a-status').value,
      from: localToIso($('a-from').value), to: localToIso($('a-to').value), limit: AUDIT_PAGE, offset: state.auditOffset,
    };
    $('audit-error').textContent = '';
    return api('GET', 'audit-logs?' + query(params)).then(renderAudit).catch(function (error) {
      if (error.status === 401 || error.status === 403) return onFailure(error);
      $('audit-error').textContent = error.message;
    });
  }

  function actionBadge(action) {
    var kind = action === 'auth_failed' ? 'failed' : action === 'auth_success' ? 'ok' : 'life';
    return el('span', { className: 'badge badge-' + kind, text: action });
  }

  function details(extra) {
    return Object.keys(extra || {}).map(function (key) {
      var value = extra[key];
      return key + '=' + (typeof value === 'object' ? JSON.stringify(value) : String(value));
    }).join(' ');
  }

  function renderAudit(page) {
    state.auditTotal = page.total;
    var body = $('audit-rows');
    body.replaceChildren();
    if (page.items.length === 0) body.append(el('tr', {}, [el('td', { colspan: '7', className: 'empty', text: 'No audit rows match.' })]));
    page.items.forEach(function (row) {
      body.append(el('tr', { 'data-action': row.action }, [
        el('td', { text: formatDate(row.createdAt) }),
        el('td', {}, [actionBadge(row.action)]),
        el('td', {}, [row.tokenId ? el('code', { text: row.tokenId.slice(0, 8), title: row.tokenId }) : '—']),
        el('td', { className: 'wrap', text: row.method ? row.method + ' ' + (row.path || '') : '—' }),
        el('td', { text: row.statusCode === null ? '—' : String(row.statusCode) }),
        el('td', { className: 'wrap', text: row.ipAddress || '—' }),
        el('td', { className: 'wrap', text: details(row.extra) || '—' }),
      ]));
    });
    $('audit-range').textContent = range(page);
    $('audit-prev').disabled = page.offset === 0;
    $('audit-next').disabled = page.offset + page.items.length >= page.total;
  }

  function start() {
    $('signin-form').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', function () { signOut(); });
    $('tab-tokens').addEventListener('click', function () { showView('tokens'); });
    $('tab-audit').addEventListener('click', function () { showView('audit'); });
    $('token-filters').addEventListener('submit', function (event) { event.preventDefault(); state.tokenOffset = 0; loadTokens(); });
    $('token-filters').addEventListener('reset', function () { setTimeout(function () { state.tokenOffset = 0; loadTokens(); }); });
    $('audit-filters').addEventListener('submit', function (event) { event.preventDefault(); state.auditOffset = 0; loadAudit(); });
    $('audit-filters').addEventListener('reset', function () { setTimeout(function () { state.auditOffset = 0; loadAudit(); }); });
    $('tokens-prev').addEventListener('click', function () { state.tokenOffset = Math.max(0, state.tokenOffset - TOKENS_PAGE); loadTokens(); });
    $('tokens-next').addEventListener('click', function () { state.tokenOffset += TOKENS_PAGE; loadTokens(); });
    $('audit-prev').addEventListener('click', function () { state.auditOffset = Math.max(0, state.auditOffset - AUDIT_PAGE); loadAudit(); });
    $('audit-next').addEventListener('click', function () { state.auditOffset += AUDIT_PAGE; loadAudit(); });
    $('select-all').addEventListener('change', function (event) {
      var checked = event.target.checked;
      document.querySelectorAll('#token-rows input[type="checkbox"]').forEach(function (box) { box.checked = checked; });
      state.selected = new Set(checked ? state.tokens.map(function (t) { return t.id; }) : []);
      updateBulk();
    });
    $('bulk-rotate').addEventListener('click', function () { bulk('rotate', 'Rotate'); });
    $('bulk-revoke').addEventListener('click', function () { bulk('revoke', 'Revoke'); });
    $('bulk-purge').addEventListener('click', function () { bulk('purge', 'Purge'); });
    $('create-form').addEventListener('submit', create);
    $('c-expiry').addEventListener('change', function () { $('c-date-row').hidden = $('c-expiry').value !== 'date'; });
    $('secret-copy').addEventListener('click', copySecret);
    $('secret-done').addEventListener('click', hideSecret);
    if (adminToken()) {
      signedIn(true);
      showView('tokens');
    } else {
      signedIn(false);
    }
  }

  start();
})();
`;
