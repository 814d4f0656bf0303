/**
 * @module admin/pages/static
 * The dashboard's one stylesheet and one small script, served from memory (no front-end build).
 * The script only enhances: the live tail's event stream, "select all" in the review queue, and
 * confirmations; every action works as a plain form without it. CSP allows nothing inline.
 */

const CSS = `
:root { --fg: #1b1f24; --muted: #5b6570; --bg: #f6f7f9; --card: #fff; --line: #d8dde3; --accent: #0b5cad;
  --allow: #1a7f37; --deny: #c62828; --warn: #8a5300; --focus: #ffbf47; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header.top { background: #14213d; color: #fff; }
header.top .bar { max-width: 1240px; margin: 0 auto; display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1rem; flex-wrap: wrap; }
header.top .brand { font-weight: 700; letter-spacing: .02em; }
header.top nav ul { list-style: none; display: flex; gap: .25rem; margin: 0; padding: 0; flex-wrap: wrap; }
header.top nav a { color: #fff; text-decoration: none; padding: .35rem .7rem; border-radius: 4px; display: inline-block; }
header.top nav a[aria-current="page"], header.top nav a:hover { background: rgba(255,255,255,.16); }
header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; font-size: .9rem; }
header.top .who button { background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.5); }
.badge { background: var(--deny); color: #fff; border-radius: 999px; padding: 0 .45rem; font-size: .8rem; margin-left: .3rem; }
main { max-width: 1240px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.45rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .6rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin-bottom: 1rem; overflow-x: auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 1rem; }
.stats { display: flex; gap: 1rem; flex-wrap: wrap; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .7rem 1rem; min-width: 150px; }
.stat b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.allow { color: var(--allow); font-weight: 600; }
.deny { color: var(--deny); font-weight: 600; }
.would { color: var(--warn); font-weight: 600; }
.muted { color: var(--muted); }
.mono, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88rem; }
pre.diff { background: #f3f4f6; padding: .6rem; border-radius: 4px; overflow-x: auto; margin: .4rem 0; }
pre.diff .add { color: var(--allow); } pre.diff .del { color: var(--deny); } pre.diff .hunk { color: var(--accent); }
form.inline { display: inline; }
.row-actions { display: flex; gap: .4rem; flex-wrap: wrap; align-items: flex-end; }
label { font-size: .85rem; color: var(--muted); display: block; }
input[type=text], input[type=password], input[type=search], select { font: inherit; padding: .35rem .5rem; border: 1px solid #9aa4ae; border-radius: 4px; background: #fff; min-width: 9rem; }
button { font: inherit; padding: .38rem .8rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--deny); border-color: var(--deny); }
.flash { padding: .7rem 1rem; border-radius: 6px; margin-bottom: 1rem; border: 1px solid; }
.flash.ok { background: #e9f6ec; border-color: #9bd1a8; }
.flash.error { background: #fdecea; border-color: #f1a7a0; }
.risk { color: var(--warn); font-size: .85rem; }
.chart { width: 100%; height: auto; max-height: 180px; }
.chart .a { fill: var(--allow); } .chart .d { fill: var(--deny); } .chart .w { fill: #d29922; }
.legend span { margin-right: 1rem; font-size: .85rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; }
.login { max-width: 420px; margin: 8vh auto; }
.login input { width: 100%; margin-bottom: .8rem; }
.tabs { display: flex; gap: .25rem; margin-bottom: .8rem; }
.tabs a { padding: .3rem .7rem; border-radius: 4px; text-decoration: none; border: 1px solid transparent; }
.tabs a[aria-current="page"] { background: var(--card); border-color: var(--line); font-weight: 600; color: var(--fg); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

const JS = `
(function () {
  'use strict';
  document.querySelectorAll('[data-select-all]').forEach(function (box) {
    box.addEventListener('change', function () {
      document.querySelectorAll(box.getAttribute('data-select-all')).forEach(function (b) { b.checked = box.checked; });
    });
  });
  document.querySelectorAll('[data-confirm]').forEach(function (el) {
    el.addEventListener('click', function (e) { if (!window.confirm(el.getAttribute('data-confirm'))) e.preventDefault(); });
  });
  var tail = document.getElementById('live-rows');
  if (!tail) return;
  var status = document.getElementById('live-status');
  var paused = false;
  var pause = document.getElementById('live-pause');
  if (pause) pause.addEventListener('click', function () {
    paused = !paused; pause.textContent = paused ? 'Resume' : 'Pause'; pause.setAttribute('aria-pressed', String(paused));
  });
  var es = new EventSource('/events' + window.location.search);
  es.addEventListener('ready', function () { status.textContent = 'Connected: decisions appear as they happen.'; });
  es.addEventListener('dropped', function (e) { status.textContent = e.data + ' decisions skipped (this page fell behind).'; });
  es.onerror = function () { status.textContent = 'Disconnected; retrying…'; };
  es.addEventListener('decision', function (e) {
    if (paused) return;
    var r = JSON.parse(e.data);
    var tr = document.createElement('tr');
    var verdict = r.decision === 'deny' ? 'deny' : (r.wouldDeny ? 'would deny' : 'allow');
    var cls = r.decision === 'deny' ? 'deny' : (r.wouldDeny ? 'would' : 'allow');
    [r.time.slice(11, 19), r.client, r.group, r.method, r.scheme + '://' + r.host + ':' + r.port + (r.path || ''),
     verdict, r.reason, String(r.status), String(Math.round(r.durationMs))].forEach(function (text, i) {
      var td = document.createElement('td');
      td.textContent = text;
      if (i === 4) td.className = 'mono';
      if (i === 5) td.className = cls;
      if (i >= 7) td.className = 'num';
      tr.appendChild(td);
    });
    tail.insertBefore(tr, tail.firstChild);
    while (tail.children.length > 500) tail.removeChild(tail.lastChild);
  });
})();
`;

export const STATIC_ROUTES: Readonly<Record<string, { type: string; body: string }>> = {
  '/static/app.css': { type: 'text/css; charset=utf-8', body: CSS },
  '/static/app.js': { type: 'text/javascript; charset=utf-8', body: JS },
};
