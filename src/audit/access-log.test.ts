/**
 * Access-log formats (squid native and JSON lines) and the writer: flush on close, every line
 * written byte-exact and in order, a line longer than a batch included.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AccessRecord } from '../proxy/records.js';
import { createRecordWriter, formatJson, formatSquid, type RecordWriter } from './access-log.js';

const base: AccessRecord = {
  time: '2026-01-02T03:04:05.678Z',
  id: 'abc-1',
  client: '10.0.0.5',
  method: 'GET',
  scheme: 'http',
  host: 'files.example.org',
  port: 80,
  path: '/a/b',
  decision: 'allow',
  mode: 'enforce',
  wouldDeny: false,
  reason: 'allowed',
  rule: '.example.org (cordon.yaml:http.allow[0])',
  group: 'default',
  resolved: '93.184.216.34',
  status: 200,
  bytesUp: 0,
  bytesDown: 1234,
  dnsMs: 1.5,
  connectMs: 2.25,
  durationMs: 45.4,
  policyVersion: 3,
};

describe('access log formats', () => {
  const table: { name: string; rec: Partial<AccessRecord>; line: string }[] = [
    {
      name: 'allowed HTTP request',
      rec: {},
      line: '1767323045.678     45 10.0.0.5 TCP_MISS/200 1234 GET http://files.example.org/a/b - HIER_DIRECT/93.184.216.34 -\n',
    },
    {
      name: 'allowed tunnel',
      rec: { method: 'CONNECT', scheme: 'https', port: 443, path: null, status: 200 },
      line: '1767323045.678     45 10.0.0.5 TCP_TUNNEL/200 1234 CONNECT files.example.org:443 - HIER_DIRECT/93.184.216.34 -\n',
    },
    {
      name: 'denied request',
      rec: {
        decision: 'deny',
        reason: 'not_allowlisted',
        status: 403,
        resolved: null,
        bytesDown: 0,
        port: 8080,
      },
      line: '1767323045.678     45 10.0.0.5 TCP_DENIED/403 0 GET http://files.example.org:8080/a/b - HIER_NONE/- -\n',
    },
    {
      name: 'malformed request',
      rec: { decision: 'deny', host: '-', method: '-', status: 400, resolved: null, bytesDown: 0 },
      line: '1767323045.678     45 10.0.0.5 NONE_NONE/400 0 - - - HIER_NONE/- -\n',
    },
    {
      name: 'IPv6 destination',
      rec: { method: 'CONNECT', host: '2001:db8::1', port: 443, path: null },
      line: '1767323045.678     45 10.0.0.5 TCP_TUNNEL/200 1234 CONNECT [2001:db8::1]:443 - HIER_DIRECT/93.184.216.34 -\n',
    },
  ];
  for (const c of table) {
    it(`formats a ${c.name} as squid does`, () => {
      assert.equal(formatSquid({ ...base, ...c.rec }), c.line);
    });
  }

  it('writes JSON lines with the fixed field names', () => {
    const parsed = JSON.parse(formatJson(base)) as Record<string, unknown>;
    for (const k of [
      'time',
      'id',
      'client',
      'method',
      'scheme',
      'host',
      'port',
      'path',
      'decision',
      'mode',
      'wouldDeny',
      'reason',
      'rule',
      'resolved',
      'status',
      'bytesUp',
      'bytesDown',
      'dnsMs',
      'connectMs',
      'durationMs',
    ]) {
      assert.ok(k in parsed, `field ${k}`);
    }
  });

  it('flushes every record on close', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cordon-log-')), 'sub', 'access.log');
    const w = createRecordWriter(file, formatJson);
    for (let i = 0; i < 1000; i++) w.write({ ...base, id: `r${i}` });
    await w.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1000);
    assert.equal((JSON.parse(lines[999] ?? '{}') as { id: string }).id, 'r999');
  });

  /** A writer to a new file whose formatter counts the lines it formats. */
  function countingWriter(format: (r: AccessRecord) => string): {
    file: string;
    w: RecordWriter;
    readonly formatted: number;
  } {
    const file = join(mkdtempSync(join(tmpdir(), 'cordon-log-')), 'access.log');
    let formatted = 0;
    const w = createRecordWriter(file, (r) => {
      formatted += 1;
      return format(r);
    });
    return {
      file,
      w,
      get formatted() {
        return formatted;
      },
    };
  }

  it('formats records when it flushes, not when they are written, one line per record in order', async () => {
    const c = countingWriter(formatSquid);
    for (let i = 0; i < 10; i++) c.w.write({ ...base, status: 200 + i });
    assert.equal(c.formatted, 0, 'nothing is formatted on the request path');
    await c.w.close();
    assert.equal(c.formatted, 10);
    const statuses = readFileSync(c.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').filter(Boolean)[3]);
    assert.deepEqual(
      statuses,
      Array.from({ length: 10 }, (_, i) => `TCP_MISS/${200 + i}`),
    );
  });

  it('counts a record it cannot format as dropped and writes the others', async () => {
    const c = countingWriter((r) => {
      if (r.id === 'bad') throw new Error('cannot format');
      return formatSquid(r);
    });
    c.w.write({ ...base, id: 'a' });
    c.w.write({ ...base, id: 'bad' });
    c.w.write({ ...base, id: 'b' });
    await c.w.close();
    assert.equal(c.w.dropped, 1);
    assert.equal(readFileSync(c.file, 'utf8').trim().split('\n').length, 2);
  });

  it('writes a batch as soon as about 300 records are queued, before the timer', async () => {
    const c = countingWriter(formatJson);
    for (let i = 0; i < 400; i++) c.w.write({ ...base, id: `r${i}` });
    // About 200 bytes are counted per line plus its path: the batch went out at ~320 records.
    assert.ok(c.formatted >= 300 && c.formatted < 400, `${c.formatted} formatted before the timer`);
    await c.w.close();
    assert.equal(c.formatted, 400);
    assert.equal(readFileSync(c.file, 'utf8').trim().split('\n').length, 400);
  });

  it('encodes every line exactly, in order, whatever its characters and length', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cordon-log-')), 'decisions.jsonl');
    const w = createRecordWriter(file, formatJson);
    const long = `/${'x'.repeat(40_000)}`;
    const sent: AccessRecord[] = [];
    for (let i = 0; i < 300; i++) {
      const r = {
        ...base,
        id: `r${i}`,
        group: i % 2 === 0 ? 'équipe-données' : 'team…🚀',
        path: i === 150 ? long : '/a',
      };
      sent.push(r);
      w.write(r);
    }
    await w.close();
    const got = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AccessRecord);
    assert.deepEqual(got, sent);
    assert.equal(w.dropped, 0);
  });

  it('keeps every line exact across many batches in flight, lines longer than a buffer and reused buffers', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cordon-log-')), 'decisions.jsonl');
    const w = createRecordWriter(file, formatJson);
    const sent: AccessRecord[] = [];
    const send = (r: AccessRecord): void => {
      sent.push(r);
      w.write(r);
    };
    // Several batches queued back to back (their writes still in flight), then more after the
    // writes are done, so that buffers are reused; one line is bigger than a whole buffer.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2000; i++) {
        const path = i === 700 ? `/${'é'.repeat(100_000)}` : `/${round}/${i}/${'p'.repeat(i % 300)}`;
        send({ ...base, id: `r${round}-${i}`, group: i % 3 === 0 ? 'team…🚀' : 'g', path });
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await w.close();
    const got = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AccessRecord);
    assert.equal(got.length, sent.length);
    assert.deepEqual(got, sent);
    assert.equal(w.dropped, 0);
  });
});
