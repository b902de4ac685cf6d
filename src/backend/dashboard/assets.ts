/**
 * The Dashboard's two static files: its style sheet and its one script (tables sort by the column
 * clicked, as the seed's "Click the Path column to sort all users by path"). Served from the
 * cloud, so the Content-Security-Policy allows nothing but 'self'.
 */
export const CSS = `
:root { --ink: #1d2733; --muted: #5b6776; --line: #d8dee6; --bg: #f5f7fa; --brand: #0b5fa5; --ok: #1e7d3a; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #12324f; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
.brand { font-weight: 700; font-size: 1.1rem; letter-spacing: .02em; }
nav.links { display: flex; gap: 1rem; flex: 1; }
nav.links a { opacity: .85; } nav.links a:hover { opacity: 1; text-decoration: underline; }
details.menu { position: relative; }
details.menu summary { cursor: pointer; list-style: none; padding: .3rem .6rem; border: 1px solid #ffffff55; border-radius: 4px; }
details.menu[open] > :not(summary) { display: block; }
details.menu > form, details.menu > a { position: relative; background: #fff; color: var(--ink); padding: .4rem .8rem; margin: 0; }
details.menu { z-index: 2; }
details.menu > form button, details.menu > a { background: none; border: 0; color: var(--ink); font: inherit; cursor: pointer; padding: 0; }
main { max-width: 1100px; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; } h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; margin: 0 0 1rem; }
.card.narrow { max-width: 420px; margin: 2rem auto; }
.card.danger { border-color: #f0c4c0; }
.stack { display: grid; gap: .7rem; } .stack label { display: grid; gap: .2rem; font-weight: 600; font-size: .9rem; }
.stack button { justify-self: start; }
.inline { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
input, select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
textarea { font-family: ui-monospace, monospace; }
button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
button.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
button.danger { color: var(--bad); border-color: #f0c4c0; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); margin: 0 0 .8rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f6; font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " ▲"; } table.sortable th[aria-sort="descending"]::after { content: " ▼"; }
.flash { padding: .6rem .8rem; border-radius: 4px; } .flash.ok { background: #e3f4e8; color: var(--ok); } .flash.error { background: #fbe9e7; color: var(--bad); }
.empty { color: var(--muted); font-style: italic; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 1rem; margin-bottom: 1rem; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; color: var(--ink); text-decoration: none; }
.tile strong { display: block; font-size: 1.8rem; color: var(--brand); }
details.action { margin: .5rem 0 1rem; } details.action summary { cursor: pointer; color: var(--brand); font-weight: 600; }
pre { background: #f3f5f8; padding: .6rem; border-radius: 4px; overflow: auto; white-space: pre-wrap; }
td.state.failed { color: var(--bad); } td.state.available { color: var(--ok); }
code { font-family: ui-monospace, monospace; font-size: .9em; }
ul.list { margin: 0 0 .8rem; }
`;

export const JS = `
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, column) {
    th.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].textContent, y = b.cells[column].textContent;
        return (ascending ? 1 : -1) * x.localeCompare(y, undefined, { numeric: true });
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
`;
