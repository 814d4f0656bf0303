/**
 * Flood-proof warnings: one line per message per window with a count of the rest, and a listener
 * error (accept failing with EMFILE) that is logged, never fatal, while the listener keeps serving.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { ProxyLogger } from '../../src/proxy/server.js';
import { guardListener, OUT_OF_DESCRIPTORS, rateLimitWarnings } from '../../src/proxy/warnings.js';
import { until } from './tunnel-clients.js';

function recordingLogger(): ProxyLogger & { lines: [string, object][] } {
  const lines: [string, object][] = [];
  return {
    lines,
    warn: (obj, msg) => void lines.push([msg, obj]),
    error: (obj, msg) => void lines.push([msg, obj]),
    debug: () => undefined,
  };
}

describe('rate-limited warnings', () => {
  it('logs the first of a message in a window and counts the rest', () => {
    const base = recordingLogger();
    const log = rateLimitWarnings(base, 60_000);
    for (let i = 0; i < 5; i++) log.warn({ i }, 'flood');
    log.warn({}, 'other');
    log.error({}, 'errors are never held back');
    log.error({}, 'errors are never held back');
    assert.deepEqual(
      base.lines.map(([m]) => m),
      ['flood', 'other', 'errors are never held back', 'errors are never held back'],
    );
    assert.deepEqual(base.lines[0]?.[1], { i: 0, suppressed: 0 });
  });

  it('says how many were held back when the next window opens', async () => {
    const base = recordingLogger();
    const log = rateLimitWarnings(base, 20);
    const t0 = Date.now();
    log.warn({}, 'flood');
    log.warn({}, 'flood');
    log.warn({}, 'flood');
    await until(() => Date.now() > t0 + 20, 1000, 'the window to pass');
    log.warn({}, 'flood');
    assert.deepEqual(
      base.lines.map(([, o]) => o),
      [{ suppressed: 0 }, { suppressed: 2 }],
    );
  });
});

describe('listener errors', () => {
  it('logs an accept EMFILE as running out of descriptors, and keeps listening', async () => {
    const base = recordingLogger();
    const server = createServer((s) => s.end('still here'));
    guardListener(server, rateLimitWarnings(base));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      // libuv reports a failed accept(2) only when its reserve descriptor could not be reopened (a
      // race with another thread), which no test can bring about on demand: emit what it emits.
      const accept = (): Error =>
        Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
      assert.doesNotThrow(() => {
        for (let i = 0; i < 1000; i++) server.emit('error', accept());
      });
      server.emit('error', Object.assign(new Error('accept EPERM'), { code: 'EPERM' }));
      assert.deepEqual(
        base.lines.map(([m, o]) => [m, (o as { code: string }).code]),
        [
          [OUT_OF_DESCRIPTORS, 'EMFILE'],
          ['proxy listener error', 'EPERM'],
        ],
      );
      const port = (server.address() as AddressInfo).port;
      const reply = await new Promise<string>((resolve) => {
        let text = '';
        connect(port, '127.0.0.1')
          .on('data', (c: Buffer) => (text += c.toString()))
          .on('close', () => resolve(text));
      });
      assert.equal(reply, 'still here');
    } finally {
      server.close();
    }
  });
});
