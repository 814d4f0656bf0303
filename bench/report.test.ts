import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markdownTable, summarizeAll } from './report.js';
import { renderTemplate } from './template.js';

describe('summarizeAll', () => {
  const results = [
    {
      id: 'a' as const,
      errors: [],
      samples: {
        direct: [{ rps: 100 }, { rps: 120 }, { rps: 110 }],
        cordon: [
          { rps: 60, cpuUsPerReq: 10 },
          { rps: 40, cpuUsPerReq: 12 },
          { rps: 50, cpuUsPerReq: 11 },
        ],
        squid: [
          { rps: 20, cpuUsPerReq: 20 },
          { rps: 25, cpuUsPerReq: 20 },
          { rps: 30, cpuUsPerReq: 20 },
        ],
      },
    },
  ];
  const rows = summarizeAll(results);

  it('compares medians and checks the goal from the issue', () => {
    const rps = rows.find((r) => r.key === 'rps');
    assert.equal(rps?.values.cordon?.median, 50);
    assert.equal(rps?.cordonVsSquid, 2);
    assert.equal(rps?.cordonVsDirect, 50 / 110);
    assert.equal(rps?.met, true);
    const cpu = rows.find((r) => r.key === 'cpuUsPerReq');
    assert.equal(cpu?.met, false, '11 µs is more than 0.5 × 20 µs');
  });

  it('only has rows for scenarios that ran', () => {
    assert.ok(rows.every((r) => r.scenario === 'a'));
  });
});

describe('the Cordon cluster column', () => {
  it('shows the all-cores figures apart; ratios and goals stay on the one-core Cordon', () => {
    const samples = {
      cordon: [{ rps: 50 }],
      squid: [{ rps: 25 }],
      cluster: [{ rps: 80 }, { rps: 90 }, { rps: 70 }],
    };
    const rows = summarizeAll([{ id: 'a' as const, errors: [], samples }]);
    const rps = rows.find((r) => r.key === 'rps');
    assert.equal(rps?.values.cluster?.median, 80);
    assert.equal(rps?.cordonVsSquid, 2);
    assert.match(
      markdownTable(rows),
      /\| 2\.00× \| – \| 80\.0 \(70\.0–90\.0\) \| – \| – \| ≥ 2× squid \| yes \|/,
    );
  });
});

describe('the Node floor column', () => {
  it('shows the floor and its ratio to squid; the goal stays on the one-core Cordon', () => {
    const samples = {
      cordon: [{ cpuUsPerReq: 15 }],
      squid: [{ cpuUsPerReq: 20 }],
      floor: [{ cpuUsPerReq: 6 }, { cpuUsPerReq: 8 }, { cpuUsPerReq: 7 }],
    };
    const rows = summarizeAll([{ id: 'a' as const, errors: [], samples }]);
    const cpu = rows.find((r) => r.key === 'cpuUsPerReq');
    assert.equal(cpu?.floorVsSquid, 7 / 20);
    assert.equal(cpu?.met, false, 'the floor meeting the goal does not make Cordon meet it');
    assert.match(
      markdownTable(rows),
      /\| 0\.75× \| – \| – \| 7\.00 \(6\.00–8\.00\) \| 0\.35× \| ≤ 0\.5× squid \| \*\*no\*\* \|/,
    );
  });
});

describe('renderTemplate', () => {
  it('fills placeholders and refuses unknown ones', () => {
    assert.equal(renderTemplate('port ${PORT}', { PORT: 3128 }), 'port 3128');
    assert.throws(() => renderTemplate('${NOPE}', {}), { code: 'CORDON_BENCH_TEMPLATE' });
  });
});
