/**
 * @module lab/lab.test
 * The lab scenarios (issue 5): the lab is brought up once, the seed's checks run inside the notebook
 * from a login shell and from a Jupyter-style kernel, each with the lifecycle script applied (all
 * pass, and Cordon records each one) and without it (everything that needs the proxy fails, and
 * nothing reaches Cordon); then everything is torn down, and no namespace, process, link or
 * /etc/netns entry of the lab may remain.
 * Needs root (network namespaces), which CI has; skipped otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor, type RunResult } from './exec.js';
import { labDown, labUp } from './lab.js';
import { leftovers } from './network.js';
import {
  COMMON_RECORDS,
  decisionRecords,
  inKernel,
  inLoginShell,
  KERNEL_DIRECT,
  logLines,
  SHELL_CHECKS,
  SHELL_RECORDS,
  type ExpectedRecord,
  type KernelCheck,
  type ShellCheck,
} from './scenarios.js';
import { ADDR, HOSTS, PATHS } from './state.js';

const SKIP =
  process.getuid?.() === 0 ? false : 'the lab needs root to create network namespaces (CI runs as root)';

/** Where each log stood when a scenario started, so its records can be told apart. */
interface Mark {
  decisions: number;
  access: number;
}
const mark = (): Mark => ({
  decisions: logLines(PATHS.decisions).length,
  access: logLines(PATHS.accessLog).length,
});

/** Wait until every expected record is in both logs after `from`; then assert each one. */
async function assertRecords(from: Mark, expected: ExpectedRecord[]): Promise<void> {
  const found = (e: ExpectedRecord) =>
    decisionRecords(from.decisions).some(
      (r) =>
        r.client === ADDR.notebook && Object.entries(e.match).every(([k, v]) => r[k as keyof typeof r] === v),
    ) && logLines(PATHS.accessLog, from.access).some((l) => e.squid.test(l));
  await waitFor('the expected records', () => expected.every(found), { timeoutMs: 5000 }).catch(
    () => undefined,
  );
  for (const e of expected)
    assert.ok(found(e), `no record for ${e.what}: ${JSON.stringify(e.match)} / ${e.squid}`);
}

function byName(checks: KernelCheck[]): Map<string, KernelCheck> {
  return new Map(checks.map((c) => [c.name, c]));
}

describe('lab: the seed architecture on one machine', { skip: SKIP, timeout: 900_000 }, () => {
  before(() => labUp(), { timeout: 900_000 });
  after(async () => {
    await labDown();
    assert.deepEqual(await leftovers(), { namespaces: [], processes: [], links: [], etc: [] });
  });

  describe('login shell, with the lifecycle script', () => {
    let start: Mark;
    before(() => {
      start = mark();
    });
    for (const check of SHELL_CHECKS) {
      it(check.name, async () => {
        const r = await inLoginShell(check.command);
        assert.ok(check.pass(r), `$ ${check.command}\nexit ${r.code}\n${r.stdout}\n${r.stderr}`);
      });
    }
    it('Cordon recorded each of them with the right decision and reason', () =>
      assertRecords(start, [...COMMON_RECORDS, ...SHELL_RECORDS]));
  });

  describe('Jupyter kernel (kernel.json env only), with the lifecycle script', () => {
    let start: Mark;
    let results: Map<string, KernelCheck>;
    before(async () => {
      start = mark();
      results = byName(await inKernel());
    });
    for (const name of [
      'https_allowlisted',
      'http_allowlisted',
      'denied_explained',
      'denied_https',
      'pip_install',
      'pandas_s3',
      'aws_s3_cp',
      'no_route',
      'metadata_direct',
      'metadata_via_proxy',
    ]) {
      it(name, () => {
        const c = results.get(name);
        assert.ok(c?.ok, `${name}: ${c?.detail ?? 'not run'}`);
      });
    }
    it('Cordon recorded each of them with the right decision and reason', () =>
      assertRecords(start, COMMON_RECORDS));
  });

  describe('without the lifecycle script, the same checks fail', () => {
    let start: Mark;
    let shell: { check: ShellCheck; r: RunResult }[];
    let kernel: KernelCheck[];
    before(async () => {
      start = mark();
      const shellRuns = Promise.all(
        SHELL_CHECKS.map(async (check) => ({ check, r: await inLoginShell(check.command, PATHS.bareRoot) })),
      );
      [shell, kernel] = await Promise.all([shellRuns, inKernel(PATHS.bareRoot)]);
    });
    it('login shell: every check that needs the proxy fails, the others still pass', () => {
      for (const { check, r } of shell) {
        assert.equal(
          check.pass(r),
          !check.needsProxy,
          `${check.name}\n$ ${check.command}\nexit ${r.code}\n${r.stderr}`,
        );
      }
    });
    it('kernel: every check that needs the proxy fails, the others still pass', () => {
      for (const c of kernel) assert.equal(c.ok, KERNEL_DIRECT.has(c.name), `${c.name}: ${c.detail}`);
    });
    it('nothing reached Cordon', () => {
      assert.deepEqual(decisionRecords(start.decisions), []);
    });
  });

  it('the internet only ever saw the gateway, and never the blocked origin', () => {
    const seen = logLines(PATHS.originLog).map((l) => JSON.parse(l) as { host: string; from: string });
    assert.ok(seen.length > 0);
    assert.deepEqual([...new Set(seen.map((s) => s.from))], [ADDR.gatewayPublic]);
    assert.ok(!seen.some((s) => s.host === HOSTS.blocked.name), 'the blocked origin got a request');
  });
});
