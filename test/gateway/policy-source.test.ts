/**
 * Remote policy sources with the real AWS SDK v3 clients against local endpoints: SSM GetParameter
 * (version compared) and S3 GetObject (ETag / 304), bad URIs refused with the fix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPolicySource } from '../../src/gateway/policy-source.js';
import { createS3Stub, createSsmStub, type StubEndpoint } from '../support/aws-stubs.js';

process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';

describe('policy sources', () => {
  const params = new Map([['/cordon/policy', { value: 'https: { allow: [a.example.org] }\n', version: 1 }]]);
  const objects = new Map([['cordon-policy/policies/cordon.yaml', 'https: { allow: [b.example.org] }\n']]);
  let ssm: StubEndpoint;
  let s3: Awaited<ReturnType<typeof createS3Stub>>;

  before(async () => {
    ssm = await createSsmStub(params);
    s3 = await createS3Stub(objects);
  });
  after(async () => {
    await ssm.close();
    await s3.close();
  });

  it('reads an SSM parameter and fetches again only when its version changes', async () => {
    const src = createPolicySource('ssm:/cordon/policy', { region: 'eu-west-1', endpoint: ssm.url });
    assert.ok(src);
    const first = await src.fetch(null);
    assert.equal(first?.version, '1');
    assert.match(first?.text ?? '', /a\.example\.org/);
    assert.equal(await src.fetch('1'), null);
    params.set('/cordon/policy', { value: 'https: { allow: [c.example.org] }\n', version: 2 });
    const second = await src.fetch('1');
    assert.equal(second?.version, '2');
    assert.ok(ssm.calls.every((c) => c.includes('AmazonSSM.GetParameter')));
    src.close();
  });

  it('reads an S3 object and gets 304 when its ETag is unchanged', async () => {
    const src = createPolicySource('s3://cordon-policy/policies/cordon.yaml', {
      region: 'eu-west-1',
      endpoint: s3.url,
    });
    assert.ok(src);
    const first = await src.fetch(null);
    assert.match(first?.text ?? '', /b\.example\.org/);
    assert.equal(await src.fetch(first?.version ?? null), null);
    s3.put('cordon-policy/policies/cordon.yaml', 'https: { allow: [d.example.org] }\n');
    const second = await src.fetch(first?.version ?? null);
    assert.match(second?.text ?? '', /d\.example\.org/);
    src.close();
  });

  it('reports an unreachable or missing source with a coded error', async () => {
    const src = createPolicySource('ssm:/cordon/missing', { region: 'eu-west-1', endpoint: ssm.url });
    await assert.rejects(() => src!.fetch(null), { code: 'CORDON_SOURCE_FETCH' });
  });

  it('refuses an unsupported source and says what to write', () => {
    assert.equal(createPolicySource('file:'), null);
    assert.throws(
      () => createPolicySource('http://x/policy.yaml'),
      /write file:, s3:\/\/bucket\/key or ssm:\/parameter\/name/,
    );
  });
});
