import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestCa } from '../../test/support/ca.js';
import { iniValue } from './doctor-files.js';
import { formatDoctor, runDoctor, type DoctorCheck } from './doctor.js';
import { probeProxy } from './probe.js';
import { lifecycleScript } from './script.js';
import { HOME, makeInstance, pamEnvironment, runScript, tempDir } from './test-tree.js';

const PROXY = 'http://proxy.internal:3128';
const NAMES = [
  'proxy variables',
  'NO_PROXY',
  'pip',
  'conda',
  'git',
  'npm and Node',
  'boto',
  'Jupyter kernels',
  'IPython startup',
];

function failing(checks: DoctorCheck[]): string[] {
  return checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

/** A TCP server on 127.0.0.1:0 that answers every connection with `reply` (or only accepts). */
async function listen(reply?: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    if (reply !== undefined) socket.once('data', () => socket.end(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function closedPort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('doctor', () => {
  it('passes every check on an instance the script configured', async () => {
    const root = makeInstance();
    await runScript(lifecycleScript({ proxy: PROXY, root }));
    const checks = await runDoctor({ env: pamEnvironment(root), home: HOME, root });
    assert.deepEqual(
      checks.map((c) => c.name),
      NAMES,
    );
    assert.deepEqual(failing(checks), []);
    assert.ok(checks.every((c) => c.fix === undefined));
  });

  it('passes with a CA: boto sees AWS_CA_BUNDLE and the bundle exists', async () => {
    const root = makeInstance();
    await runScript(lifecycleScript({ proxy: PROXY, root, caPem: (await createTestCa()).certPem }));
    const checks = await runDoctor({ env: pamEnvironment(root), home: HOME, root });
    assert.deepEqual(failing(checks), []);
    assert.match(
      checks.find((c) => c.name === 'boto')?.detail ?? '',
      /AWS_CA_BUNDLE \/etc\/cordon\/ca-bundle\.pem/,
    );
  });

  it('fails every check with a fix on an empty instance', async () => {
    const root = tempDir('cordon-empty-');
    const checks = await runDoctor({ env: {}, home: HOME, root });
    assert.deepEqual(
      checks.filter((c) => !c.ok).map((c) => c.name),
      NAMES,
    );
    for (const c of checks) assert.ok(c.fix !== undefined && c.fix.length > 10, c.name);
  });

  it('names what is wrong: missing metadata bypass, differing cases, CA without AWS_CA_BUNDLE', async () => {
    const root = makeInstance();
    await runScript(lifecycleScript({ proxy: PROXY, root, caPem: (await createTestCa()).certPem }));
    const env: NodeJS.ProcessEnv = {
      ...pamEnvironment(root),
      no_proxy: 'localhost',
      https_proxy: 'http://other:3128',
    };
    delete env.AWS_CA_BUNDLE;
    const checks = await runDoctor({ env, home: HOME, root });
    assert.deepEqual(failing(checks), [
      'proxy variables: cases differ: HTTPS_PROXY',
      'NO_PROXY: no_proxy lack 169.254.169.254',
      'boto: a CA is configured (/etc/cordon/ca.pem) but AWS_CA_BUNDLE is not set',
    ]);
  });

  describe('probes', () => {
    let cordon: { server: Server; port: number };
    let other: { server: Server; port: number };
    let open: { server: Server; port: number };
    before(async () => {
      cordon = await listen(
        'HTTP/1.1 403 Forbidden\r\nX-Cordon-Decision: deny\r\nX-Cordon-Reason: not_allowlisted\r\nContent-Length: 0\r\n\r\n',
      );
      other = await listen('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      open = await listen();
    });
    after(() => {
      for (const s of [cordon, other, open]) s.server.close();
    });

    it('probeProxy tells Cordon from something else and from nothing', async () => {
      assert.deepEqual(await probeProxy(`http://127.0.0.1:${cordon.port}`), {
        ok: true,
        detail: `Cordon at 127.0.0.1:${cordon.port} answered 403 for cordon-doctor.invalid`,
      });
      const notCordon = await probeProxy(`http://127.0.0.1:${other.port}`);
      assert.equal(notCordon.ok, false);
      assert.match(notCordon.detail, /not as Cordon/);
      const closed = await probeProxy(`http://127.0.0.1:${await closedPort()}`);
      assert.equal(closed.ok, false);
      assert.match(closed.detail, /ECONNREFUSED/);
      const silent = await probeProxy(`http://127.0.0.1:${open.port}`, 200);
      assert.deepEqual(silent, { ok: false, detail: `no answer from 127.0.0.1:${open.port} within 200 ms` });
    });

    it('runs the injected proxy probe with the proxy from the environment', async () => {
      const seen: string[] = [];
      const env = { HTTPS_PROXY: `http://127.0.0.1:${cordon.port}` };
      const checks = await runDoctor({
        env,
        home: HOME,
        root: tempDir('cordon-empty-'),
        probe: (url) => (seen.push(url), probeProxy(url)),
      });
      assert.deepEqual(seen, [env.HTTPS_PROXY]);
      assert.equal(checks.find((c) => c.name === 'proxy answers')?.ok, true);
    });

    it('reports direct egress as a failure when a direct connection succeeds', async () => {
      const closed = await closedPort();
      const good = await runDoctor({
        env: {},
        home: HOME,
        root: '/nonexistent',
        directProbe: [`127.0.0.1:${closed}`],
      });
      const direct = good.find((c) => c.name === 'direct egress closed');
      assert.equal(direct?.ok, true);
      assert.match(direct?.detail ?? '', /ECONNREFUSED/);
      const bad = await runDoctor({
        env: {},
        home: HOME,
        root: '/nonexistent',
        directProbe: [`127.0.0.1:${closed}`, `127.0.0.1:${open.port}`],
      });
      const leak = bad.find((c) => c.name === 'direct egress closed');
      assert.equal(leak?.ok, false);
      assert.match(leak?.detail ?? '', new RegExp(`127\\.0\\.0\\.1:${open.port} connected`));
      assert.match(leak?.fix ?? '', /security group/);
    });
  });

  it('formats ✓ and ✗ lines with the fix under each failure', () => {
    const text = formatDoctor([
      { name: 'pip', ok: true, detail: 'proxy = x in /etc/pip.conf' },
      { name: 'git', ok: false, detail: 'no http.proxy', fix: 'run the script' },
    ]);
    assert.equal(
      text,
      '✓ pip: proxy = x in /etc/pip.conf\n✗ git: no http.proxy\n    fix: run the script\n1 of 2 checks failed\n',
    );
  });
});

describe('iniValue', () => {
  const cases: [string, string, string, string, string | undefined][] = [
    ['plain', '[global]\nproxy = http://a:1\n', 'global', 'proxy', 'http://a:1'],
    ['last wins', '[http]\nproxy=a\n[http]\n\tproxy = b\n', 'http', 'proxy', 'b'],
    ['case-insensitive', '[HTTP]\n\tProxy = a\n', 'http', 'proxy', 'a'],
    ['subsection is not the section', '[http "https://x"]\nproxy = a\n', 'http', 'proxy', undefined],
    ['comments', '[global]\n# proxy = a\n; proxy = b\n', 'global', 'proxy', undefined],
    ['top level', 'https-proxy=a\n[x]\nhttps-proxy=b\n', '', 'https-proxy', 'a'],
    ['other section', '[install]\nproxy = a\n', 'global', 'proxy', undefined],
  ];
  for (const [name, text, section, key, want] of cases) {
    it(name, () => assert.equal(iniValue(text, section, key), want));
  }
});
