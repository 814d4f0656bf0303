import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { INSTALLER_PATH } from '../lib/fleet.js';
import { dummyTarball } from './support.js';

const run = promisify(execFile);

async function install(prefix: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return run('bash', [INSTALLER_PATH, '--tarball', dummyTarball(), '--no-user', ...args], {
    env: {
      ...process.env,
      PREFIX: prefix,
      NPM_FLAGS: '--offline',
      npm_config_update_notifier: 'false',
      ...env,
    },
    timeout: 120_000,
  });
}

describe('install-cordon.sh', () => {
  it('is valid bash and explains itself', async () => {
    await run('bash', ['-n', INSTALLER_PATH]);
    const { stdout } = await run('bash', [INSTALLER_PATH, '--help']);
    assert.match(stdout, /--policy-source SRC/);
    await assert.rejects(
      run('bash', [INSTALLER_PATH, '--tarball', '/nonexistent.tgz']),
      /tarball \/nonexistent\.tgz not found/,
    );
    await assert.rejects(
      run('bash', [INSTALLER_PATH, '--tarball', dummyTarball(), '--policy-source', 'http://x']),
      /use ssm:\/NAME or s3:\/\/BUCKET\/KEY/,
    );
  });

  it('installs under PREFIX without systemd: package, config, launcher, secret env file', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'cordon-install-'));
    const { stdout } = await install(
      prefix,
      ['--no-systemd', '--policy-source', 'ssm:/cordon/policy', '--poll-seconds', '15'],
      {
        CORDON_ADMIN_TOKEN: 'test-token',
        AWS_REGION: 'eu-west-1',
      },
    );
    assert.match(stdout, /installed; start it with: .*\/opt\/cordon\/bin\/cordon-start/);
    assert.ok(existsSync(join(prefix, 'opt/cordon/node_modules/cordon/bin/cordon.js')));
    assert.equal(
      readFileSync(join(prefix, 'etc/cordon/cordon.yaml'), 'utf8'),
      [
        '# Written by install-cordon.sh. The policy (allowlists, clients, modes) comes from policy.source.',
        'listen: 0.0.0.0:3128',
        'admin:',
        '  listen: 127.0.0.1:9090',
        'log:',
        `  access: ${prefix}/var/log/cordon/access.log`,
        `  json: ${prefix}/var/log/cordon/decisions.jsonl`,
        'storage:',
        `  dir: ${prefix}/var/lib/cordon`,
        'policy:',
        '  source: ssm:/cordon/policy',
        '  pollSeconds: 15',
        '',
      ].join('\n'),
    );
    const env = join(prefix, 'etc/cordon/cordon.env');
    assert.equal(
      readFileSync(env, 'utf8'),
      'CORDON_ADMIN_TOKEN=test-token\nAWS_REGION=eu-west-1\nAWS_DEFAULT_REGION=eu-west-1\n',
    );
    assert.equal(statSync(env).mode & 0o777, 0o600);
    assert.ok(!existsSync(join(prefix, 'etc/systemd/system/cordon.service')));
    const started = await run(join(prefix, 'opt/cordon/bin/cordon-start'), ['--listen', '127.0.0.1:0']);
    assert.equal(started.stdout, `start --config ${prefix}/etc/cordon/cordon.yaml --listen 127.0.0.1:0\n`);
  });

  it('writes the systemd unit (not started under PREFIX) and is idempotent with --config', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'cordon-install-'));
    const config = new URL('./fixtures/cordon.yaml', import.meta.url).pathname;
    for (let i = 0; i < 2; i++) {
      const { stdout } = await install(prefix, ['--config', config]);
      assert.match(stdout, /PREFIX is set: wrote .*cordon\.service but did not start it/);
    }
    assert.equal(readFileSync(join(prefix, 'etc/cordon/cordon.yaml'), 'utf8'), readFileSync(config, 'utf8'));
    const unit = readFileSync(join(prefix, 'etc/systemd/system/cordon.service'), 'utf8');
    assert.match(unit, /^Restart=on-failure$/m);
    assert.match(unit, new RegExp(`^ExecStart=${prefix}/opt/cordon/bin/cordon-start$`, 'm'));
    assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    assert.match(unit, new RegExp(`^StandardOutput=append:${prefix}/var/log/cordon/cordon\\.log$`, 'm'));
  });
});
