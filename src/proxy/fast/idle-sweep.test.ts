/**
 * The fast engine's idle sweep: when a watched socket counts as idle (real loopback sockets; the
 * clock is passed in, so no test waits for a timeout), the sweep interval, and a real sweep.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { IdleWatch, startSweep, sweepInterval } from './idle-sweep.js';

describe('IdleWatch', () => {
  let server: Server;
  let ours: Socket;
  let peer: Socket;
  before(async () => {
    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    ours = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(ours, 'connect');
    [peer] = (await accepted) as [Socket];
  });
  after(() => {
    ours.destroy();
    peer.destroy();
    server.close();
  });

  it('reports a silent socket once per timeout, never before it', () => {
    const w = new IdleWatch(ours);
    w.set(100, 0);
    assert.equal(w.expired(99), false);
    assert.equal(w.expired(100), true);
    assert.equal(w.expired(150), false, 'counted again from the report');
    assert.equal(w.expired(200), true);
  });

  it('starts the count again when bytes arrive', async () => {
    const w = new IdleWatch(ours);
    w.set(100, 0);
    peer.write('x');
    await once(ours, 'data');
    assert.equal(w.expired(90), false);
    assert.equal(w.expired(150), false, 'the read at 90 restarted the count');
    assert.equal(w.expired(190), true);
  });

  it('starts the count again when bytes are written', async () => {
    const w = new IdleWatch(ours);
    w.set(100, 0);
    ours.write('y');
    await once(peer, 'data');
    assert.equal(w.expired(120), false);
    assert.equal(w.expired(219), false);
    assert.equal(w.expired(220), true);
  });

  it('never reports with no timeout, and set() restarts the count', () => {
    const w = new IdleWatch(ours);
    w.set(0, 0);
    assert.equal(w.expired(1e9), false);
    w.set(100, 1000);
    assert.equal(w.expired(1099), false);
    assert.equal(w.expired(1100), true);
  });
});

describe('sweep', () => {
  it('sweeps an eighth of the shortest timeout, from 20 ms to 1 s', () => {
    assert.equal(sweepInterval(30_000), 1000);
    assert.equal(sweepInterval(400), 50);
    assert.equal(sweepInterval(100), 20);
  });

  it('visits every item on each sweep, and an item may leave while it is swept', async () => {
    const seen: string[] = [];
    const items = new Set<{ sweep(now: number): void }>();
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const leaving = {
      sweep() {
        seen.push('leaving');
        items.delete(leaving);
      },
    };
    const staying = {
      sweep(now: number) {
        assert.ok(now > 0);
        seen.push('staying');
        if (seen.filter((s) => s === 'staying').length === 3) done();
      },
    };
    items.add(leaving).add(staying);
    const sweep = startSweep(items, () => 5);
    const deadline = setTimeout(() => assert.fail(`three sweeps not done: ${seen.join(',')}`), 5000);
    await finished;
    clearTimeout(deadline);
    sweep.stop();
    assert.deepEqual(seen, ['leaving', 'staying', 'staying', 'staying']);
  });
});
