import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import { promisify } from 'node:util';
import { createTestCa } from '../../test/support/ca.js';
import { LIFECYCLE_ERRORS } from './errors.js';
import { lifecycleScript, MAX_BASE64_CHARS } from './script.js';
import {
  HOME,
  makeInstance,
  PY_KERNEL,
  R_KERNEL,
  readInstance,
  runScript,
  snapshot,
  tempDir,
  USER_KERNEL,
  writeTree,
} from './test-tree.js';

const PROXY = 'http://proxy.internal:3128';
const NO_PROXY_IN = [
  '.s3.eu-west-1.amazonaws.com',
  'API.sagemaker.eu-west-1.amazonaws.com',
  'localhost',
  '10.0.0.0/16',
];
const NO_PROXY =
  '169.254.169.254,localhost,127.0.0.1,.s3.eu-west-1.amazonaws.com,api.sagemaker.eu-west-1.amazonaws.com,10.0.0.0/16';
const ENV = [
  `HTTP_PROXY=${PROXY}`,
  `http_proxy=${PROXY}`,
  `HTTPS_PROXY=${PROXY}`,
  `https_proxy=${PROXY}`,
  `NO_PROXY=${NO_PROXY}`,
  `no_proxy=${NO_PROXY}`,
  'NODE_USE_ENV_PROXY=1',
];
const CA_ENV = [
  'REQUESTS_CA_BUNDLE=/etc/cordon/ca-bundle.pem',
  'AWS_CA_BUNDLE=/etc/cordon/ca-bundle.pem',
  'SSL_CERT_FILE=/etc/cordon/ca-bundle.pem',
  'NODE_EXTRA_CA_CERTS=/etc/cordon/ca.pem',
];
const block = (...lines: string[]) => ['# >>> cordon >>>', ...lines, '# <<< cordon <<<', ''].join('\n');
const execBash = promisify(execFile);

describe('lifecycleScript: options', () => {
  const bad: [string, Parameters<typeof lifecycleScript>[0], string][] = [
    ['https proxy', { proxy: 'https://proxy:3128' }, 'plain HTTP'],
    ['no port', { proxy: 'http://proxy' }, 'http://HOST:PORT'],
    ['credentials', { proxy: 'http://u:p@proxy:3128' }, 'world-readable'],
    ['path', { proxy: 'http://proxy:3128/x' }, 'http://HOST:PORT'],
    ['shell in host', { proxy: 'http://a$(id):3128' }, 'DNS name'],
    ['port range', { proxy: 'http://proxy:70000' }, '1 to 65535'],
    ['star', { proxy: PROXY, noProxy: ['*'] }, 'around the proxy'],
    ['glob', { proxy: PROXY, noProxy: ['*.example.com'] }, '".example.com"'],
    ['space', { proxy: PROXY, noProxy: ['a b'] }, 'hostname'],
    ['quote', { proxy: PROXY, noProxy: ["x'y"] }, 'hostname'],
    ['semicolon', { proxy: PROXY, noProxy: ['a;reboot'] }, 'hostname'],
    ['bad cidr', { proxy: PROXY, noProxy: ['10.0.0.0/33'] }, 'CIDR'],
    ['not pem', { proxy: PROXY, caPem: 'hello' }, 'BEGIN CERTIFICATE'],
    [
      'key',
      { proxy: PROXY, caPem: '-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n' },
      'private key',
    ],
    ['root relative', { proxy: PROXY, root: 'tmp/x' }, 'absolute path'],
    ['root dotdot', { proxy: PROXY, root: '/tmp/../etc' }, 'absolute path'],
    ['root space', { proxy: PROXY, root: '/tmp/a b' }, 'absolute path'],
  ];
  for (const [name, opts, fix] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => lifecycleScript(opts),
        (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.equal((e as { code?: string }).code, LIFECYCLE_ERRORS.badOption);
          assert.ok(e.message.includes(fix), e.message);
          return true;
        },
      );
    });
  }

  it('rejects a leaf certificate and accepts a CA', async () => {
    const ca = await createTestCa();
    const leaf = await ca.issue(['proxy.internal']);
    assert.throws(() => lifecycleScript({ proxy: PROXY, caPem: leaf.cert }), /is not a CA/);
    assert.match(lifecycleScript({ proxy: PROXY, caPem: ca.certPem }), /CORDON_CA/);
  });

  it('normalises the proxy URL and keeps the script within SageMaker limits', () => {
    const script = lifecycleScript({ proxy: 'HTTP://Proxy.Internal:3128/', noProxy: NO_PROXY_IN });
    assert.match(script, /^PROXY='http:\/\/proxy\.internal:3128'$/m);
    assert.match(script, new RegExp(`^NOPROXY='${NO_PROXY.replace(/\./g, '\\.')}'$`, 'm'));
    assert.ok(Buffer.from(script).toString('base64').length < MAX_BASE64_CHARS / 2);
  });

  it('refuses a script that would not fit SageMaker', async () => {
    const chain = (await Promise.all(Array.from({ length: 24 }, () => createTestCa()))).map((c) => c.certPem);
    assert.throws(
      () => lifecycleScript({ proxy: PROXY, caPem: chain.join('') }),
      (e: unknown) => (e as { code?: string }).code === LIFECYCLE_ERRORS.tooLarge,
    );
  });

  it('is valid bash (bash -n), with and without a CA', async () => {
    const ca = await createTestCa();
    for (const script of [
      lifecycleScript({ proxy: PROXY }),
      lifecycleScript({ proxy: PROXY, caPem: ca.certPem }),
    ]) {
      const dir = tempDir('cordon-syntax-');
      writeFileSync(join(dir, 's.sh'), script);
      await execBash('bash', ['-n', join(dir, 's.sh')]);
    }
  });
});

describe('lifecycleScript: run against a fake instance', () => {
  let root = '';
  let first = new Map<string, string>();
  let stdout = '';

  before(async () => {
    root = makeInstance();
    stdout = (await runScript(lifecycleScript({ proxy: PROXY, noProxy: NO_PROXY_IN, root }))).stdout;
    first = snapshot(root);
  });

  it('writes the environment for login shells, non-login shells and PAM', () => {
    assert.equal(
      readInstance(root, '/etc/profile.d/cordon-proxy.sh'),
      [
        '# Cordon proxy settings (SageMaker lifecycle script). /etc/bashrc reads it for non-login shells.',
        ...ENV.map((l) => `export ${l}`),
        '',
      ].join('\n'),
    );
    assert.equal(readInstance(root, '/etc/environment'), block(...ENV));
    assert.equal(
      readInstance(root, '/etc/bashrc'),
      '# System-wide bashrc\nalias ll="ls -l"\n' +
        block('if [ -r /etc/profile.d/cordon-proxy.sh ]; then . /etc/profile.d/cordon-proxy.sh; fi'),
    );
  });

  it('configures pip, git, npm and conda, keeping other keys and replacing old proxies', () => {
    assert.equal(
      readInstance(root, '/etc/pip.conf'),
      `[global]\n${block(`proxy = ${PROXY}`)}timeout = 60\n\n[install]\nuser = no\n`,
    );
    assert.equal(
      readInstance(root, '/etc/gitconfig'),
      `[user]\n\tname = Notebook\n${block('[http]', `\tproxy = ${PROXY}`)}`,
    );
    const npm = block(`proxy=${PROXY}`, `https-proxy=${PROXY}`, `noproxy=${NO_PROXY}`);
    for (const path of ['/etc/npmrc', `${HOME}/.npmrc`, '/root/.npmrc'])
      assert.equal(readInstance(root, path), npm);
    const conda = block('proxy_servers:', `  http: ${PROXY}`, `  https: ${PROXY}`);
    assert.equal(
      readInstance(root, `${HOME}/.condarc`),
      `channels:\n  - conda-forge\nauto_activate_base: false\n${conda}`,
    );
    assert.equal(readInstance(root, '/root/.condarc'), conda);
  });

  it('sets the proxy in every kernelspec env, keeping the rest of the spec', () => {
    const expected = Object.fromEntries(
      ENV.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const py = JSON.parse(readInstance(root, PY_KERNEL)) as {
      env: object;
      display_name: string;
      argv: string[];
    };
    assert.deepEqual(py.env, { FOO: 'bar', ...expected });
    assert.equal(py.display_name, 'conda_python3');
    assert.equal(py.argv.length, 5);
    for (const path of [R_KERNEL, USER_KERNEL]) {
      assert.deepEqual((JSON.parse(readInstance(root, path)) as { env: object }).env, expected);
    }
    assert.match(stdout, /cordon-lifecycle: kernel .*python3\/kernel\.json/);
  });

  it('writes an IPython startup file and a systemd drop-in for the Jupyter server', () => {
    const startup = readInstance(root, `${HOME}/.ipython/profile_default/startup/00-cordon-proxy.py`);
    assert.equal(
      startup,
      [
        '# Cordon proxy settings for IPython kernels (SageMaker lifecycle script).',
        'import os',
        ...ENV.map((l) => `os.environ['${l.slice(0, l.indexOf('='))}'] = '${l.slice(l.indexOf('=') + 1)}'`),
        '',
      ].join('\n'),
    );
    assert.equal(
      readInstance(root, '/etc/systemd/system/jupyter-server.service.d/cordon-proxy.conf'),
      ['[Service]', ...ENV.map((l) => `Environment="${l}"`), ''].join('\n'),
    );
    assert.match(stdout, /ROOT is set: not touching systemd/);
  });

  it('makes every written file world-readable and leaves no temp files', () => {
    for (const [path, entry] of first) {
      assert.ok(!path.endsWith('.cordon-tmp'), path);
      assert.ok((parseInt(entry.slice(0, 3), 8) & 0o444) === 0o444, `${path} mode ${entry.slice(0, 3)}`);
    }
  });

  it('is idempotent: a second run leaves the same files', async () => {
    await runScript(lifecycleScript({ proxy: PROXY, noProxy: NO_PROXY_IN, root }));
    assert.deepEqual(snapshot(root), first);
  });

  it('runs with only basic tools (no python3: kernels skipped with a message, no network tools)', async () => {
    const bin = tempDir('cordon-bin-');
    for (const tool of ['bash', 'awk', 'sed', 'mkdir', 'cat', 'chmod', 'mv', 'rm', 'id', 'chown', 'cp']) {
      const found = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
      assert.ok(found, tool);
      symlinkSync(found, join(bin, tool));
    }
    const bare = makeInstance();
    const { stdout: out } = await runScript(lifecycleScript({ proxy: PROXY, root: bare }), { PATH: bin });
    assert.match(out, /no python3: kernel\.json files left as they are/);
    assert.equal(
      readInstance(bare, R_KERNEL),
      '{"argv":["R","--slave"],"display_name":"R","language":"R","env":null}\n',
    );
    assert.match(readInstance(bare, '/etc/environment'), /^HTTPS_PROXY=http:\/\/proxy\.internal:3128$/m);
  });
});

describe('lifecycleScript: with a CA', () => {
  let root = '';
  let pem = '';

  before(async () => {
    pem = (await createTestCa('Cordon Inspection CA')).certPem;
    root = makeInstance();
    mkdirSync(join(root, '/etc/pki/ca-trust/source/anchors'), { recursive: true });
    writeTree(root, { '/etc/pki/tls/certs/ca-bundle.crt': '# system roots\n' });
    await runScript(lifecycleScript({ proxy: PROXY, caPem: pem, root }));
  });

  it('writes the CA verbatim, into the anchors, and a bundle of system roots plus the CA', () => {
    const file = `${pem.trimEnd()}\n`;
    assert.equal(readInstance(root, '/etc/cordon/ca.pem'), file);
    assert.equal(readInstance(root, '/etc/pki/ca-trust/source/anchors/cordon.pem'), file);
    assert.equal(readInstance(root, '/etc/cordon/ca-bundle.pem'), `# system roots\n${file}`);
  });

  it('points requests, boto, OpenSSL, Node, pip, conda, npm and git at it', () => {
    const env = readInstance(root, '/etc/environment');
    for (const line of CA_ENV) assert.match(env, new RegExp(`^${line}$`, 'm'));
    assert.match(readInstance(root, '/etc/pip.conf'), /^cert = \/etc\/cordon\/ca-bundle\.pem$/m);
    assert.match(readInstance(root, `${HOME}/.condarc`), /^ssl_verify: \/etc\/cordon\/ca-bundle\.pem$/m);
    assert.match(readInstance(root, '/etc/npmrc'), /^cafile=\/etc\/cordon\/ca-bundle\.pem$/m);
    assert.match(readInstance(root, '/etc/gitconfig'), /^\tsslCAInfo = \/etc\/cordon\/ca-bundle\.pem$/m);
    const kernel = JSON.parse(readInstance(root, PY_KERNEL)) as { env: Record<string, string> };
    assert.equal(kernel.env.AWS_CA_BUNDLE, '/etc/cordon/ca-bundle.pem');
  });

  it('is idempotent with a CA too', async () => {
    const before = snapshot(root);
    await runScript(lifecycleScript({ proxy: PROXY, caPem: pem, root }));
    assert.deepEqual(snapshot(root), before);
  });
});
