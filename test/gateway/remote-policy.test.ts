/**
 * A gateway whose policy lives in SSM Parameter Store or S3 (real SDK clients, local endpoints):
 * pulled at start, swapped when a new version appears, a bad version refused with the last good
 * policy kept, and the cached copy enforced after a restart while the source is unreachable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createGateway } from '../../src/gateway/gateway.js';
import { createS3Stub, createSsmStub } from '../support/aws-stubs.js';

process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';

const silent = pino({ level: 'silent' });

function allowed(gw: ReturnType<typeof createGateway>, host: string): boolean {
  const { runtime } = gw.current();
  const g = runtime.policy.groups.at(-1);
  return g?.schemes.https.allow.matchHost(host) !== null && g !== undefined;
}

function localConfig(dir: string, source: string, endpoint: string): string {
  const file = join(dir, 'cordon.yaml');
  writeFileSync(
    file,
    `log: { access: null, json: null }
storage: { dir: ./data }
policy: { source: "${source}", endpoint: "${endpoint}", region: eu-west-1, pollSeconds: 3600 }
https: { allow: [local.example.org] }
`,
  );
  return file;
}

describe('remote policy', () => {
  it('pulls from SSM, swaps new versions, refuses bad ones, and survives a restart without the source', async () => {
    const params = new Map([
      ['/cordon/policy', { value: 'https: { allow: [one.example.org] }\n', version: 1 }],
    ]);
    const ssm = await createSsmStub(params);
    const dir = mkdtempSync(join(tmpdir(), 'cordon-remote-'));
    const file = localConfig(dir, 'ssm:/cordon/policy', ssm.url);
    const gw = createGateway({ configPath: file, listen: '127.0.0.1:0', logger: silent, watch: false });
    await gw.start();
    assert.ok(allowed(gw, 'one.example.org'), 'the remote policy replaced the local allowlist');
    assert.ok(!allowed(gw, 'local.example.org'));

    params.set('/cordon/policy', { value: 'https: { allow: [two.example.org] }\n', version: 2 });
    await gw.pollRemote();
    assert.ok(allowed(gw, 'two.example.org'));

    params.set('/cordon/policy', { value: 'https: { allow: [".com"] }\n', version: 3 });
    await gw.pollRemote();
    assert.ok(allowed(gw, 'two.example.org'), 'a bad version keeps the last good policy');
    const callsBefore = ssm.calls.length;
    await gw.pollRemote();
    assert.equal(ssm.calls.length, callsBefore + 1);
    await gw.stop();
    await ssm.close();

    // The source is gone: a restart enforces the cached last good policy.
    const again = createGateway({ configPath: file, listen: '127.0.0.1:0', logger: silent, watch: false });
    await again.start();
    assert.ok(allowed(again, 'two.example.org'));
    await again.stop();
  });

  it('pulls from S3 and fetches the object again only when it changed', async () => {
    const objects = new Map([['policy-bucket/cordon.yaml', 'https: { allow: [s3.example.org] }\n']]);
    const s3 = await createS3Stub(objects);
    const dir = mkdtempSync(join(tmpdir(), 'cordon-remote-'));
    const file = localConfig(dir, 's3://policy-bucket/cordon.yaml', s3.url);
    const gw = createGateway({ configPath: file, listen: '127.0.0.1:0', logger: silent, watch: false });
    await gw.start();
    assert.ok(allowed(gw, 's3.example.org'));
    const version = gw.current().runtime.policy.version;
    await gw.pollRemote();
    assert.equal(gw.current().runtime.policy.version, version, 'unchanged object: no reload');
    s3.put('policy-bucket/cordon.yaml', 'https: { allow: [s3b.example.org] }\n');
    await gw.pollRemote();
    assert.ok(allowed(gw, 's3b.example.org'));
    await gw.stop();
    await s3.close();
  });
});
