/**
 * The adversarial suite (issue 4): every bypass a hostile notebook might try, as a table of named
 * cases grouped by what they attack, run against the real proxy (both engines) on real sockets in
 * a network namespace with canaries on the forbidden addresses, a recording DNS server and echo
 * origins. Each case asserts the status or close, the reason code in the decision record, zero
 * canary hits, exactly the DNS questions expected (and never a reverse lookup), whether any byte
 * reached an origin, and a live proxy afterwards. Needs root; skipped with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccessRecord } from '../../src/proxy/records.js';
import { outcomeOf, type Action, type AdversarialCase, type CaseContext, type Outcome } from './cases.js';
import { CONNECT_CASES } from './cases-connect.js';
import { destinationCases } from './cases-destinations.js';
import { FRAMING_CASES, HEADER_CASES } from './cases-http.js';
import { LIMIT_CASES } from './cases-limits.js';
import { LITERAL_CASES } from './cases-literals.js';
import { DNS_CASES, NAME_CASES } from './cases-names.js';
import { UPGRADE_CASES } from './cases-upgrades.js';
import { startHarness, type Harness } from './harness-client.js';
import { cannotRun, createNamespace, destroyNamespace } from './netns.js';
import type { Observed } from './protocol.js';
import type { EngineName, ProxyName } from './world.js';

const RECORD_DEADLINE_MS = 3000;

const groups = (engine: EngineName): [string, readonly AdversarialCase[]][] => [
  ['destinations', destinationCases(engine)],
  ['IP literals', LITERAL_CASES],
  ['names', NAME_CASES],
  ['DNS', DNS_CASES],
  ['CONNECT', CONNECT_CASES],
  ['HTTP framing', FRAMING_CASES],
  ['headers', HEADER_CASES],
  ['upgrades and other protocols', UPGRADE_CASES],
  ['limits', LIMIT_CASES],
];

const b64 = (p: string | Buffer): string => (typeof p === 'string' ? Buffer.from(p) : p).toString('base64');

function contextFor(h: Harness, proxy: ProxyName): CaseContext {
  return {
    h,
    proxy,
    async send(a) {
      const r = await h.call('raw', { ...a, proxy, parts: a.parts.map(b64) });
      return outcomeOf(r.text, r.closed, r.ms);
    },
  };
}

async function perform(ctx: CaseContext, a: Action): Promise<Outcome> {
  switch (a.kind) {
    case 'raw':
      return ctx.send(a);
    case 'curl': {
      const args = a.args.map((x) => (x === '@CA' ? ctx.h.info.caFile : x));
      const r = await ctx.h.call('curl', { proxy: ctx.proxy, args });
      return { status: r.status, closed: true, text: r.body, ms: 0, headers: r.headers };
    }
    case 'steps':
      return a.run(ctx);
  }
}

const names = (seen: Observed): string[] => [...new Set(seen.questions.map((q) => q.name))].sort();
const brief = (records: readonly AccessRecord[]): string =>
  JSON.stringify(records.map((r) => [r.method, r.host, r.port, r.status, r.reason]));

async function assertAlive(ctx: CaseContext): Promise<void> {
  const o = await ctx.send({
    kind: 'raw',
    parts: ['GET http://alive.lab.test/alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  });
  assert.equal(o.status, 200, `the proxy no longer serves a normal request:\n${o.text}`);
}

async function runCase(h: Harness, proxy: ProxyName, c: AdversarialCase): Promise<void> {
  const ctx = contextFor(h, proxy);
  const mark = await h.call('mark', {});
  const o = await perform(ctx, c.send);
  const e = c.expect;
  const since = mark.records[proxy];
  const reasons: readonly string[] = typeof e.reason === 'string' ? [e.reason] : e.reason;
  const records = await h.call('records', { proxy, since, reasons, timeoutMs: RECORD_DEADLINE_MS });
  const seen = await h.call('observe', { mark });
  const shown = `\n--- client saw (${o.ms} ms, closed=${o.closed}):\n${o.text.slice(0, 600)}\n--- records: ${brief(records)}`;
  assert.equal(o.status, e.status, `status${shown}`);
  if (e.closed === true) assert.ok(o.closed, `the proxy did not close the connection${shown}`);
  assert.ok(
    records.some((r) => reasons.includes(r.reason)),
    `no record with reason ${reasons.join('|')}${shown}`,
  );
  const header = o.headers['x-cordon-reason'];
  if (header !== undefined) assert.ok(reasons.includes(header), `X-Cordon-Reason: ${header}${shown}`);
  assert.deepEqual(seen.canaryHits, {}, 'a canary was reached');
  assert.deepEqual(names(seen), [...new Set(e.dns ?? [])].sort(), `DNS questions${shown}`);
  assert.ok(
    seen.questions.every((q) => q.type === 1 || q.type === 28),
    'only A/AAAA questions, never PTR',
  );
  if (e.reaches === true) assert.ok(seen.originTouches > 0, `nothing reached the origin${shown}`);
  else assert.equal(seen.originTouches, 0, `something reached an origin${shown}`);
  e.check?.(o, seen, records);
  await assertAlive(ctx);
}

const skip = cannotRun();

describe('adversarial suite', { skip: skip ?? false }, () => {
  let ns: string | undefined;
  let h: Harness | undefined;
  const harness = (): Harness => {
    if (h === undefined) throw new Error('the harness did not start');
    return h;
  };

  const cleanUp = (): void => {
    if (ns !== undefined) destroyNamespace(ns);
    ns = undefined;
  };
  before(async () => {
    ns = createNamespace();
    // Whatever happens to the run, the namespace goes with the process.
    process.once('exit', cleanUp);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        cleanUp();
        process.kill(process.pid, signal);
      });
    }
    h = await startHarness(ns);
  });
  after(async () => {
    try {
      await h?.stop();
    } finally {
      cleanUp();
    }
  });

  for (const engine of ['node', 'fast'] as const) {
    describe(`${engine} engine`, () => {
      for (const [group, cases] of groups(engine)) {
        describe(group, () => {
          for (const c of cases) {
            const proxy: ProxyName = c.tight === true ? `${engine}-tight` : engine;
            if (c.todo !== undefined) it(c.name, { todo: c.todo });
            else it(c.name, () => runCase(harness(), proxy, c));
          }
        });
      }
    });
  }

  it('hit no canary and made no reverse lookup in the whole run', async () => {
    const h0 = harness();
    const seen = await h0.call('observe', { mark: { ...(await h0.call('mark', {})), dns: 0, canaries: {} } });
    assert.deepEqual(seen.canaryHits, {});
    assert.ok(seen.questions.length > 0, 'the DNS server recorded the run');
    assert.ok(seen.questions.every((q) => q.type === 1 || q.type === 28));
    assert.ok(!seen.questions.some((q) => q.name.endsWith('.arpa')), 'no reverse lookup');
    assert.ok(h0.info.canaries >= 50, `${h0.info.canaries} canary listeners`);
  });
});
