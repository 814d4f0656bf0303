/**
 * `cordon start --workers`: the flag overrides the config, a bad value is a usage error, and a
 * cluster that cannot listen (port taken) stops every worker and exits 2 with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startCordon, type Cordon } from './harness.js';

const started: Cordon[] = [];
const start = (args: string[], cwd: string): Cordon => {
  const c = startCordon(args, cwd);
  started.push(c);
  return c;
};

function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-cluster-err-'));
  writeFileSync(
    join(dir, 'cordon.yaml'),
    'admin: { enabled: false }\nstorage: { dir: ./data }\nlog: { json: null }\n',
  );
  return dir;
}

describe('cordon start --workers', () => {
  // A failed test must not leave a primary behind (its workers end with it).
  after(() => {
    for (const c of started) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  });

  it('refuses a bad value with exit 2', async () => {
    const c = start(['--config', 'cordon.yaml', '--workers', '0'], configDir());
    assert.equal(await c.exited, 2);
    assert.match(c.text.join('\n'), /--workers "0" is not valid; use a whole number from 1 to 256, or auto/);
  });

  it('overrides the config, and exits 2 when the workers cannot listen', { timeout: 60_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as AddressInfo;
    try {
      const c = start(
        ['--config', 'cordon.yaml', '--workers', '2', '--listen', `127.0.0.1:${port}`],
        configDir(),
      );
      assert.equal((await c.wait('starting cluster workers')).workers, 2);
      assert.equal(await c.exited, 2);
      assert.match(c.text.join('\n'), /a worker could not start: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
