/**
 * @module proxy/recorder.test
 * The recorder hands each record to the sink once, when it finishes, and never changes it after:
 * the access logs and the audit store keep the record itself and format or write it later.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REASONS } from '../policy/types.js';
import type { AccessRecord } from './records.js';
import { createRecorder, isoTime } from './recorder.js';

describe('recorder', () => {
  it('emits a record once, and nothing changes it after it finished', () => {
    const got: AccessRecord[] = [];
    const rec = createRecorder((r) => got.push(r));
    const b = rec.startAt('10.0.0.5', 'GET', 'http');
    b.target('http', 'files.example.org', 80, '/a?secret=1');
    b.decision(
      {
        allow: true,
        mode: 'enforce',
        wouldDeny: false,
        reason: REASONS.allowed,
        rule: 'r',
        group: 'default',
        detail: '',
      },
      3,
    );
    b.traffic({ resolved: '192.0.2.1', dnsMs: 1, connectMs: 2, bytesUp: 0, bytesDown: 10 });
    b.finish({ status: 200 });
    assert.equal(got.length, 1);
    const snapshot = { ...(got[0] as AccessRecord) };
    assert.equal(snapshot.path, '/a', 'the query string is not recorded');
    assert.ok(!Number.isNaN(Date.parse(snapshot.time)));

    b.traffic({ resolved: '192.0.2.9', dnsMs: 9, connectMs: 9, bytesUp: 9, bytesDown: 9 });
    b.target('https', 'other.example', 443, '/b');
    b.decision(
      {
        allow: false,
        mode: 'enforce',
        wouldDeny: false,
        reason: REASONS.notAllowlisted,
        rule: null,
        group: 'x',
        detail: '',
      },
      4,
    );
    b.finish({ status: 500, decision: 'deny' });
    assert.equal(got.length, 1, 'finished once');
    assert.deepEqual(got[0], snapshot);
  });

  it('takes the five traffic figures onto the record, and nothing else an outcome carries', () => {
    const got: AccessRecord[] = [];
    const b = createRecorder((r) => got.push(r)).startAt('10.0.0.5', 'GET', 'http');
    const keys = Object.keys(b.record).sort();
    // The node engine's forwarding outcome is the figures plus its error.
    const outcome = {
      resolved: '192.0.2.1',
      dnsMs: 1.5,
      connectMs: 2.5,
      bytesUp: 3,
      bytesDown: 4,
      error: new Error('x'),
    };
    b.traffic(outcome);
    b.finish({ status: 200 });
    const r = got[0] as AccessRecord;
    assert.deepEqual(
      [r.resolved, r.dnsMs, r.connectMs, r.bytesUp, r.bytesDown],
      ['192.0.2.1', 1.5, 2.5, 3, 4],
    );
    assert.deepEqual(Object.keys(r).sort(), keys);
  });

  it('writes times as toISOString does, across milliseconds, seconds, days and in any order', () => {
    const base = Date.UTC(2026, 10, 27, 23, 59, 58, 0);
    const times = [
      0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1999, 2000, 2001, 2999, 1000, 5, -1000, -999, -1, -86_400_000,
    ];
    for (const t of [...times, ...times.map((d) => d + base)]) {
      assert.equal(isoTime(t), new Date(t).toISOString(), String(t));
      assert.equal(isoTime(t), new Date(t).toISOString(), `${t} again`);
    }
    for (let t = base - 3000; t < base + 3000; t += 7)
      assert.equal(isoTime(t), new Date(t).toISOString(), String(t));
  });
});
