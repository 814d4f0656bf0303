import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveProps, type CordonEgressProps } from '../lib/props.js';
import { bundlePolicy } from '../lib/policy-bundle.js';
import { dummyTarball, POLICY_FILE } from './support.js';

describe('CordonEgress props', () => {
  let base: CordonEgressProps;
  before(() => {
    base = { packageTarball: dummyTarball(), policyFile: POLICY_FILE };
  });

  it('applies the defaults', () => {
    const p = resolveProps(base);
    assert.deepEqual(
      [
        p.policyStore,
        p.policyParameterName,
        p.pollSeconds,
        p.instanceType,
        p.minCapacity,
        p.desiredCapacity,
        p.maxCapacity,
      ],
      ['ssm', '/cordon/policy', 30, 't4g.small', 2, 2, 3],
    );
    assert.deepEqual(p.egressPorts, [80, 443]);
    assert.equal(p.logRetention, 90);
  });

  const bad: [string, Partial<CordonEgressProps>, RegExp][] = [
    ['x86 instance type', { instanceType: 'm5.large' }, /instanceType "m5\.large".*Graviton/],
    [
      'missing tarball',
      { packageTarball: '/nonexistent/cordon.tgz' },
      /packageTarball "\/nonexistent\/cordon\.tgz".*does not exist/,
    ],
    ['tarball not .tgz', { packageTarball: '/etc/hostname' }, /packageTarball.*\.tgz/],
    ['policy not yaml', { policyFile: '/etc/hostname' }, /policyFile.*\.yaml or \.yml/],
    ['store', { policyStore: 'dynamodb' as 'ssm' }, /policyStore "dynamodb".*'ssm' or 's3'/],
    [
      'parameter name',
      { policyParameterName: 'cordon policy' },
      /policyParameterName "cordon policy".*\/cordon\/policy/,
    ],
    ['poll', { pollSeconds: 1 }, /pollSeconds 1.*from 5 to 86400/],
    ['capacity order', { minCapacity: 3, maxCapacity: 2 }, /maxCapacity 2.*from 3 to 20/],
    ['EIP pool over quota', { elasticIps: true, maxCapacity: 6 }, /maxCapacity 6.*EIP quota/],
    ['vpc cidr', { vpcCidr: '10.0.0.0/8' }, /vpcCidr "10\.0\.0\.0\/8".*\/16 to \/24/],
    ['egress port', { egressPorts: [0] }, /egressPorts\[\] 0/],
    ['bucket name', { s3Buckets: ['My_Bucket'], s3PrefixListId: 'pl-6ca54005' }, /s3Buckets\[\] "My_Bucket"/],
    [
      'prefix list missing',
      { s3Buckets: ['data'] },
      /s3PrefixListId undefined.*describe-managed-prefix-lists/,
    ],
    [
      'notebook type',
      { notebook: { instanceType: 't3.medium' } },
      /notebook\.instanceType "t3\.medium".*ml\.t3\.medium/,
    ],
  ];
  for (const [name, props, message] of bad) {
    it(`rejects ${name} with the value and the fix`, () => {
      assert.throws(() => resolveProps({ ...base, ...props }), message);
    });
  }
});

describe('bundlePolicy', () => {
  it('inlines allowFiles into allow, deduplicated, keeping comments', () => {
    const doc = bundlePolicy(POLICY_FILE);
    assert.equal(
      doc,
      [
        '# Test policy for the CDK stack: notebooks in the VPC may reach a package mirror and a code host.',
        'clients: [ 10.40.0.0/16 ]',
        'mode: enforce',
        'http:',
        '  allow:',
        '    - mirror.example.org',
        'https:',
        '  allow:',
        '    - .code.example.com',
        '    - .packages.example.com',
        '    - files.example.net',
        '',
      ].join('\n'),
    );
  });

  it("refuses a policy Cordon's loader rejects", () => {
    assert.throws(
      () => bundlePolicy(new URL('./fixtures/bad-policy.yaml', import.meta.url).pathname),
      /mode/,
    );
  });
});
