import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { renderConfig } from './template.js';
import { cordonLimits, MANY_CONNECTIONS, MANY_TUNNELS, prlimitPrefix, squidMaxFd } from './tuning.js';
import type { ProxyTuning } from './types.js';

const ROOT = join(import.meta.dirname, '..');

/** The benchmark's cordon.yaml as bench/cordon.ts writes it, loaded by Cordon's own config loader. */
function loadBenchConfig(tuning: ProxyTuning) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-config-'));
  try {
    writeFileSync(join(dir, 'allowhttp.txt'), 'origin.bench\n');
    writeFileSync(join(dir, 'allowhttps.txt'), 'origin.bench\n');
    const file = join(dir, 'cordon.yaml');
    const values = {
      DIR: dir,
      PROXY_PORT: 3128,
      HTTP_PORT: 8080,
      HTTPS_PORT: 8443,
      ORIGIN_HOST: 'origin.bench',
    };
    writeFileSync(
      file,
      renderConfig(ROOT, 'cordon.yaml.tmpl', { ...values, ADMIN_PORT: 9099, LIMITS: cordonLimits(tuning) }),
    );
    return loadConfig(file).config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the benchmark config for Cordon', () => {
  it('runs the admin listener with public metrics, so the audit counters can be read', () => {
    const c = loadBenchConfig({});
    assert.equal(c.admin.enabled, true);
    assert.equal(c.admin.listen, '127.0.0.1:9099');
    assert.equal(c.admin.metricsPublic, true);
  });

  it('keeps the built-in caps by default', () => {
    const c = loadBenchConfig({});
    const defaults = loadConfig().config.limits;
    assert.deepEqual(c.limits, defaults);
  });

  it('raises every cap for many connections, so 9,000 tunnels from one address fit', () => {
    const { limits } = loadBenchConfig({ manyConnections: true });
    assert.equal(limits.maxConnections, MANY_CONNECTIONS);
    assert.equal(limits.maxConnectionsPerClient, MANY_CONNECTIONS);
    assert.equal(limits.maxTunnels, MANY_TUNNELS);
    assert.equal(limits.maxTunnelsPerClient, MANY_TUNNELS);
    assert.ok(MANY_TUNNELS >= 9000 && 2 * MANY_TUNNELS <= 20_000, 'fits the 20,000 descriptor hard limit');
  });
});

describe('squid and prlimit tuning', () => {
  it('sets squid max_filedescriptors from the tuning', () => {
    assert.equal(squidMaxFd(), 16_384);
    assert.equal(squidMaxFd({ manyConnections: true }), MANY_CONNECTIONS);
    assert.equal(squidMaxFd({ manyConnections: true, nofile: 2000 }), 2000);
  });
  it('starts a proxy under prlimit only when asked', () => {
    assert.deepEqual(prlimitPrefix(), []);
    assert.deepEqual(prlimitPrefix({ nofile: 2000 }), ['prlimit', '--nofile=2000:2000']);
  });
});
