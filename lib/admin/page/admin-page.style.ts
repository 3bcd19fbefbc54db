/** The admin page's stylesheet: system fonts, no external resources. */
export const ADMIN_PAGE_STYLE = String.raw`
:root {
  --ink: #1c2430; --muted: #5b6675; --line: #d5dbe3; --bg: #f4f6f9; --card: #fff;
  --brand: #1f4fd1; --brand-ink: #fff; --danger: #b42318; --ok: #067647; --warn-bg: #fff6e0; --focus: #f59e0b;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.chart { display: flex; align-items: flex-end; gap: 2px; height: 120px; border-bottom: 1px solid var(--line); margin-bottom: .75rem; }
.chart .col { flex: 1; display: flex; flex-direction: column-reverse; height: 100%; }
.chart .ok, .key.ok { background: var(--ok); }
.chart .failed, .key.failed { background: var(--danger); }
.key { display: inline-block; width: .75rem; height: .75rem; margin-left: .5rem; }
body { margin: 0; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: .5rem; background: var(--card); padding: .5rem; z-index: 10; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.bar { display: flex; align-items: center; gap: 1.5rem; padding: .75rem 1.5rem; background: #14213d; color: #fff; }
.bar nav { display: flex; gap: .25rem; }
.bar .ghost { margin-left: auto; background: transparent; color: #fff; border-color: #8ea2c9; }
.tab { background: transparent; color: #dbe4f5; border: 1px solid transparent; }
.tab[aria-pressed="true"] { background: #fff; color: #14213d; }
main { padding: 1rem 1.5rem 2rem; max-width: 1440px; margin: 0 auto; }
main:focus { outline: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
.narrow { max-width: 34rem; margin: 2rem auto; }
label { display: block; font-weight: 600; font-size: .85rem; margin: .6rem 0 .2rem; }
input, select, button { font: inherit; }
input, select { width: 100%; padding: .4rem .5rem; border: 1px solid #a9b3c1; border-radius: 5px; background: #fff; color: var(--ink); }
input[type="checkbox"] { width: 1.05rem; height: 1.05rem; }
button { padding: .4rem .8rem; border: 1px solid #a9b3c1; border-radius: 5px; background: #fff; color: var(--ink); cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--brand); }
button:disabled { opacity: .5; cursor: not-allowed; }
button.primary { background: var(--brand); color: var(--brand-ink); border-color: var(--brand); }
button.danger { color: var(--danger); border-color: #e3a29c; }
button.small { padding: .15rem .5rem; font-size: .85rem; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.row { display: flex; gap: .5rem; align-items: center; }
.row.end { justify-content: flex-end; }
.filters { display: grid; grid-template-columns: 2fr 1fr 1fr 1fr 1fr auto; gap: .5rem .75rem; align-items: end; margin-bottom: .75rem; }
#audit-filters { grid-template-columns: 2fr 1fr .8fr 1.3fr 1.3fr auto; }
.create { display: grid; grid-template-columns: 1.2fr 1.6fr .8fr 1.2fr .7fr 1fr auto; gap: .5rem .75rem; align-items: end; }
.create label { margin-top: 0; }
.create .actions { display: flex; }
@media (max-width: 1100px) { .filters, #audit-filters, .create { grid-template-columns: 1fr 1fr; } }
.filters label { margin-top: 0; }
.filters .actions { display: flex; gap: .4rem; }
.bulk { display: flex; gap: .5rem; align-items: center; margin: .25rem 0 .75rem; color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; white-space: nowrap; }
th { font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.wrap { white-space: normal; min-width: 9rem; max-width: 24rem; overflow-wrap: break-word; }
td .actions { display: flex; gap: .3rem; }
tbody tr:hover { background: #f8fafc; }
.empty { color: var(--muted); text-align: center; padding: 1.5rem; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: .78rem; font-weight: 700; border: 1px solid; }
.badge-active { color: #05603a; background: #ecfdf3; border-color: #75e0a7; }
.badge-expired { color: #93370d; background: #fffaeb; border-color: #fec84b; }
.badge-revoked { color: #912018; background: #fef3f2; border-color: #fda29b; }
.badge-purged { color: #344054; background: #f2f4f7; border-color: #98a2b3; }
.badge-disabled { color: #6941c6; background: #f4f3ff; border-color: #bdb4fe; }
#edit input, #confirm select { margin-bottom: .25rem; }
.badge-failed { color: #912018; background: #fef3f2; border-color: #fda29b; }
.badge-ok { color: #05603a; background: #ecfdf3; border-color: #75e0a7; }
.badge-life { color: #1f4fd1; background: #eef4ff; border-color: #a4bcfd; }
.pager { display: flex; gap: .75rem; align-items: center; justify-content: flex-end; margin-top: .75rem; color: var(--muted); }
.secret { border: 2px solid #f79009; background: var(--warn-bg); }
.secret input { font-family: ui-monospace, Menlo, Consolas, monospace; background: #fff; }
.warn { color: #7a2e0e; }
.error { color: var(--danger); min-height: 1.2em; margin: .4rem 0; }
.ok { color: var(--ok); min-height: 1.2em; margin: .4rem 0 0; }
.hint { font-weight: 400; color: var(--muted); }
.status { max-width: 1440px; margin: .75rem auto 0; padding: 0 1.5rem; min-height: 1.4em; color: var(--ok); font-weight: 600; }
.status.bad { color: var(--danger); }
dialog { border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem; max-width: 30rem; }
dialog::backdrop { background: rgba(15, 23, 42, .45); }
#signin-form button { margin-top: .5rem; }
`;
