import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditStore } from './store.js';
const rows = Number(process.argv[2]);
const pragmas = (process.argv[3] ?? '').split(';').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'pb-'));
const store = createAuditStore({ path: join(dir, 'a.db'), maxDecisions: rows + 1, maxAgeDays: 3650 });
for (const p of pragmas) store.db.pragma(p);
const spread = (i: number, salt: number): number => (((i + salt) * 2654435761) >>> 0) / 2 ** 32;
const t0 = Date.now() - rows * 5;
const s = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
for (let i = 0; i < rows; i++) {
  const h = Math.floor(5000 * spread(i, 1) ** 3);
  const deny = i % 10 === 0;
  store.add({ time: new Date(t0 + i * 5).toISOString(), id: 'b' + i, client: `10.0.${Math.floor(spread(i, 2) * 4)}.${Math.floor(spread(i, 3) * 50)}`, method: 'GET', scheme: i % 3 ? 'http' : 'https', host: `h${h}.example${h % 37}.test`, port: 80, path: '/p', decision: deny ? 'deny' : 'allow', mode: 'enforce', wouldDeny: false, reason: deny ? 'not_allowlisted' : 'allowed', rule: null, group: 'default', resolved: null, status: 200, bytesUp: 1, bytesDown: 2, dnsMs: 1, connectMs: 1, durationMs: 1, policyVersion: 1 });
  if (store.stats().queued >= 20000) store.flush();
}
store.flush();
const secs = Number(process.hrtime.bigint() - s) / 1e9;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify(pragmas), Math.round(rows / secs), 'rows/s', 'cpu', ((cpu.user + cpu.system) / 1e6).toFixed(1), 'wall', secs.toFixed(1));
store.close();
