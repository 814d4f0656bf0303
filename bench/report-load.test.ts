import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditTable, loadSections } from './report-load.js';
import { summarizeAll } from './report.js';
import { exhaustionSample } from './scenarios/e-exhaust.js';
import type { ScenarioResult } from './types.js';

describe('rows of the load scenarios', () => {
  const results: ScenarioResult[] = [
    {
      id: 'e',
      errors: [],
      samples: {
        cordon: [
          { holdFullMiB: 200, holdPerTunnelKiB: 12, holdHeld: 9000, holdAfterRatio: 1.3, exhaustAlive: 1 },
        ],
        squid: [
          { holdFullMiB: 300, holdPerTunnelKiB: 30, holdHeld: 9000, holdAfterRatio: 10, exhaustAlive: 1 },
        ],
      },
    },
  ];
  const rows = summarizeAll(results);
  const row = (key: string) => rows.find((r) => r.key === key);

  it('checks goals against squid and absolute bounds both ways', () => {
    assert.equal(row('holdFullMiB')?.met, true, '200 MiB ≤ 1× squid');
    assert.equal(row('holdPerTunnelKiB')?.met, true, '12 KiB ≤ 16');
    assert.equal(row('holdHeld')?.goal, '≥ 9000');
    assert.equal(row('holdHeld')?.met, true);
    assert.equal(row('holdAfterRatio')?.met, false, 'memory did not return within 10%');
    assert.equal(row('exhaustAlive')?.met, true);
  });

  it('has no goal verdict for a metric that was not measured', () => {
    assert.equal(row('exhaustRecovered')?.met, null);
  });
});

describe('exhaustionSample', () => {
  it('groups outcomes as the issue asks: 429, 503, other answers, no answer', () => {
    const s = exhaustionSample({
      outcomes: { ok: 980, '503': 50, '429': 5, '500': 2, closed: 400, refused: 3, timeout: 50, EMFILE: 10 },
      during: { tls: 'ok', http: 'ok' },
      after: { tls: 'ok', http: 'ok' },
      recoveryMs: 12,
      aliveDuring: true,
      aliveAfter: true,
    });
    assert.deepEqual(s, {
      exhaustOk: 980,
      exhaust429: 5,
      exhaust503: 50,
      exhaustOtherStatus: 2,
      exhaustClosed: 403,
      exhaustTimeout: 60,
      exhaustAlive: 1,
      exhaustRecovered: 1,
      exhaustRecoveryMs: 12,
    });
  });

  it('marks a process that died or never served again', () => {
    const s = exhaustionSample({
      outcomes: {},
      during: { tls: 'closed', http: 'refused' },
      after: { tls: 'refused', http: 'ok' },
      recoveryMs: Number.NaN,
      aliveDuring: true,
      aliveAfter: false,
    });
    assert.equal(s.exhaustAlive, 0);
    assert.equal(s.exhaustRecovered, 0);
  });
});

describe('audit store section', () => {
  const base = { samples: {}, errors: [] };
  it('lists each scenario with a Cordon and the total, and flags drops', () => {
    const results: ScenarioResult[] = [
      { ...base, id: 'a', audit: { written: 120_000, dropped: 0 } },
      { ...base, id: 'd' },
      { ...base, id: 'g', audit: { written: 5000, dropped: 12 } },
    ];
    const t = auditTable(results);
    assert.equal(t.dropped, 12);
    assert.match(t.markdown, /\| \(a\) \| 120,000 \| 0 \|/);
    assert.doesNotMatch(t.markdown, /\(d\)/);
    assert.match(t.markdown, /\| total \| 125,000 \| 12 \|/);
    assert.deepEqual(loadSections(results).missed, ['audit store dropped 12 records: goal 0']);
  });

  it('passes with zero drops and renders scenario details first', () => {
    const results: ScenarioResult[] = [
      {
        ...base,
        id: 'e',
        audit: { written: 10, dropped: 0 },
        details: [{ title: '(e) X', markdown: 'body' }],
      },
    ];
    const { lines, missed } = loadSections(results);
    assert.deepEqual(missed, []);
    assert.deepEqual(lines.slice(0, 3), ['## (e) X', '', 'body']);
  });

  it('never reads an unknown count as zero drops', () => {
    const results: ScenarioResult[] = [
      { ...base, id: 'f', audit: { written: Number.NaN, dropped: Number.NaN } },
    ];
    assert.match(auditTable(results).markdown, /\| \(f\) \| unknown \| unknown \|/);
    assert.equal(loadSections(results).missed.length, 1);
  });
});
