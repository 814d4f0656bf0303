import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { onStartScript, resources, securityGroupRules, synth, type Synthesized } from './support.js';

const COMMON_RULES = [
  'LoadBalancer in tcp 3128 from sg:Notebook',
  'LoadBalancer out icmp 252-86 to 255.255.255.255/32',
  'LoadBalancer out tcp 3128 to sg:Proxy',
  'LoadBalancer out tcp 9090 to sg:Proxy',
  'Notebook out icmp 252-86 to 255.255.255.255/32',
  'Notebook out tcp 3128 to sg:LoadBalancer',
  'Proxy in tcp 3128 from sg:LoadBalancer',
  'Proxy in tcp 9090 from sg:LoadBalancer',
  'Proxy out tcp 443 to 0.0.0.0/0',
  'Proxy out tcp 53 to 10.40.0.2/32',
  'Proxy out tcp 80 to 0.0.0.0/0',
  'Proxy out udp 53 to 10.40.0.2/32',
];

/** Logical IDs of stateful resources: changing one replaces the resource (and loses its data). */
const STATEFUL_IDS: Record<string, string> = {
  CordonPolicyParameter85E1FBF7: 'AWS::SSM::Parameter',
  CordonNotebookKey2001BBC5: 'AWS::KMS::Key',
  CordonAccessLogGroup76D08DA5: 'AWS::Logs::LogGroup',
  CordonDecisionLogGroup7E604978: 'AWS::Logs::LogGroup',
  CordonServiceLogGroupA042CF6B: 'AWS::Logs::LogGroup',
  CordonFlowLogGroupA2301FF7: 'AWS::Logs::LogGroup',
  CordonAdminTokenFFA6B22C: 'AWS::SecretsManager::Secret',
};
const STATEFUL_S3_IDS: Record<string, string> = {
  CordonPolicyBucket70A31F62: 'AWS::S3::Bucket',
  CordonPolicyAccessLogsBucket45E4440D: 'AWS::S3::Bucket',
};

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

function statements(s: Synthesized, roleLogicalIdPrefix: string): Statement[] {
  return Object.entries(resources(s.template))
    .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(roleLogicalIdPrefix))
    .flatMap(([, r]) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actions = (st: Statement) => (Array.isArray(st.Action) ? st.Action : [st.Action]);

describe('CordonEgress: SSM policy, Elastic IPs, VPC endpoints, S3 buckets', () => {
  let s: Synthesized;
  before(() => {
    s = synth({
      elasticIps: true,
      sageMakerEndpoints: true,
      s3Buckets: ['my-data'],
      s3PrefixListId: 'pl-6ca54005',
    });
  });

  it('passes cdk-nag AwsSolutions with no unsuppressed errors or warnings', () => {
    assert.deepEqual(s.nagFindings, []);
  });

  it('gives every cdk-nag suppression a written reason', () => {
    const all = Object.values(resources(s.template)) as {
      Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } };
    }[];
    const suppressions = all.flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    assert.ok(suppressions.length >= 5);
    for (const sup of suppressions) assert.ok(sup.reason.length > 40, `${sup.id}: ${sup.reason}`);
  });

  it('has no NAT gateway and no route out of the isolated subnets', () => {
    s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const all = resources(s.template);
    const isolatedTables = Object.values(all)
      .filter(
        (r) =>
          r.Type === 'AWS::EC2::SubnetRouteTableAssociation' &&
          JSON.stringify(r.Properties?.SubnetId).includes('NotebookSubnet'),
      )
      .map((r) => JSON.stringify(r.Properties?.RouteTableId));
    assert.equal(isolatedTables.length, 2);
    const routes = Object.values(all).filter((r) => r.Type === 'AWS::EC2::Route');
    assert.equal(routes.length, 2, 'one default route per public subnet');
    for (const route of routes) {
      assert.ok(
        !isolatedTables.includes(JSON.stringify(route.Properties?.RouteTableId)),
        'route in an isolated subnet',
      );
      assert.match(JSON.stringify(route.Properties?.GatewayId), /CordonVpcIGW/);
    }
  });

  it('has exactly the expected security-group rules', () => {
    assert.deepEqual(
      securityGroupRules(s.template),
      [
        ...COMMON_RULES,
        'Endpoint in tcp 443 from sg:Notebook',
        'Endpoint out icmp 252-86 to 255.255.255.255/32',
        'Notebook out tcp 443 to pl:pl-6ca54005',
        'Notebook out tcp 443 to sg:Endpoint',
      ].sort(),
    );
  });

  it('launches proxies with IMDSv2 only, hop limit 1, an encrypted gp3 root volume and no key pair', () => {
    s.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3' } }],
        InstanceType: 't4g.small',
        KeyName: Match.absent(),
      },
    });
    s.template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '2',
      MaxSize: '3',
      HealthCheckType: 'ELB',
    });
  });

  it('reads exactly the one SSM parameter, the assets, the token, and claims only pool addresses', () => {
    const proxy = statements(s, 'CordonProxyRole');
    const ssm = proxy.filter((st) => actions(st).some((a) => a.startsWith('ssm:')));
    assert.equal(ssm.length, 1);
    assert.deepEqual(actions(ssm[0]!), ['ssm:GetParameter']);
    assert.match(JSON.stringify(ssm[0]!.Resource), /":parameter",\{"Ref":"CordonPolicyParameter85E1FBF7"\}/);
    const s3 = proxy.filter((st) => actions(st).some((a) => a.startsWith('s3:')));
    assert.deepEqual(s3.map(actions), [['s3:GetObject']]);
    assert.equal((s3[0]!.Resource as unknown[]).length, 2);
    assert.doesNotMatch(JSON.stringify(s3[0]!.Resource), /\/\*"/);
    const eip = proxy.filter((st) => actions(st).includes('ec2:AssociateAddress'));
    assert.equal(eip.length, 2);
    assert.deepEqual(eip[1]!.Condition, {
      StringEquals: { 'ec2:ResourceTag/cordon:fleet': 'CordonStackCordonC00FF797' },
    });
    s.template.resourceCountIs('AWS::EC2::EIP', 3);
  });

  it('scopes the notebook role to the named bucket', () => {
    const text = JSON.stringify(statements(s, 'CordonNotebookRole'));
    assert.match(text, /:s3:::my-data"/);
    assert.match(text, /:s3:::my-data\/\*"/);
    assert.doesNotMatch(text, /"Resource":"\*"/);
  });

  it('runs the notebook in an isolated subnet with no direct internet and no root access', () => {
    s.template.hasResourceProperties('AWS::SageMaker::NotebookInstance', {
      DirectInternetAccess: 'Disabled',
      RootAccess: 'Disabled',
      SubnetId: { Ref: Match.stringLikeRegexp('NotebookSubnet') },
      KmsKeyId: { Ref: 'CordonNotebookKey2001BBC5' },
    });
    s.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('attaches the cordon lifecycle script with the proxy variables and the endpoints in NO_PROXY', () => {
    const script = onStartScript(s.template);
    assert.match(script, /^PROXY='http:\/\/<CordonProxyLoadBalancer6F2C51F4\.DNSName>:3128'$/m);
    assert.match(script, /^HTTPS_PROXY=\$PROXY$/m);
    assert.match(script, /^https_proxy=\$PROXY$/m);
    assert.match(script, /^NO_PROXY=\$NOPROXY$/m);
    assert.match(
      script,
      /^NOPROXY='169\.254\.169\.254,localhost,127\.0\.0\.1,api\.sagemaker\.<AWS::Region>\.amazonaws\.com,runtime\.sagemaker\.<AWS::Region>\.amazonaws\.com,s3\.<AWS::Region>\.amazonaws\.com,\.s3\.<AWS::Region>\.amazonaws\.com'$/m,
    );
    const dir = mkdtempSync(join(tmpdir(), 'cordon-onstart-'));
    writeFileSync(join(dir, 'on-start.sh'), script.replace(/<(AWS::Region|Cordon[A-Za-z0-9.]+)>/g, 'x'));
    execFileSync('bash', ['-n', join(dir, 'on-start.sh')]);
  });

  it('puts an internal NLB with client IP preservation and a /healthz check in front of the fleet', () => {
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'network',
    });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3128,
      Protocol: 'TCP',
      TargetType: 'instance',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'preserve_client_ip.enabled', Value: 'true' }]),
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: '9090',
      HealthCheckPath: '/healthz',
    });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 3128,
      Protocol: 'TCP',
    });
  });

  it('ships logs to groups with 90-day retention, counts denials and failed reloads, and alarms', () => {
    s.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 4);
    s.template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.decision = "deny" }' });
    s.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.msg = "policy reload failed" }',
    });
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  it('keeps the logical IDs of stateful resources', () => {
    const all = resources(s.template);
    for (const [id, type] of Object.entries(STATEFUL_IDS)) assert.equal(all[id]?.Type, type, id);
  });

  it('stores the bundled policy (allowFiles inlined) and points the gateway at it', () => {
    s.template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/cordon/policy',
      Tier: 'Standard',
      Value: Match.stringLikeRegexp('- \\.packages\\.example\\.com'),
    });
    const value = JSON.stringify(s.template.findResources('AWS::SSM::Parameter'));
    assert.doesNotMatch(value, /allowFiles/);
    const userData = JSON.stringify(s.template.findResources('AWS::EC2::LaunchTemplate'));
    assert.match(userData, /--policy-source ssm:\/cordon\/policy --poll-seconds 30/);
    assert.match(userData, /--admin-listen 0\.0\.0\.0:9090/);
    assert.match(
      userData,
      /secretsmanager get-secret-value --secret-id ",\{"Ref":"CordonAdminTokenFFA6B22C"\}/,
    );
  });
});

describe('CordonEgress: S3 policy, notebook with root access', () => {
  let s: Synthesized;
  before(() => {
    s = synth({ policyStore: 's3', notebook: { rootAccess: true } });
  });

  it('passes cdk-nag AwsSolutions with no unsuppressed errors or warnings', () => {
    assert.deepEqual(s.nagFindings, []);
  });

  it('has exactly the expected security-group rules (no endpoints)', () => {
    assert.deepEqual(securityGroupRules(s.template), [...COMMON_RULES].sort());
  });

  it('keeps the policy in a versioned, encrypted, private, TLS-only bucket with access logs', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: 'CordonPolicyAccessLogsBucket45E4440D' } },
    });
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: 'CordonPolicyBucket70A31F62' },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const all = resources(s.template);
    for (const [id, type] of Object.entries(STATEFUL_S3_IDS)) assert.equal(all[id]?.Type, type, id);
    s.template.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  it('lets the proxies read exactly the policy object', () => {
    const s3 = statements(s, 'CordonProxyRole').filter((st) => actions(st).includes('s3:GetObjectVersion'));
    assert.equal(s3.length, 1);
    assert.deepEqual(s3[0]!.Resource, {
      'Fn::Join': ['', [{ 'Fn::GetAtt': ['CordonPolicyBucket70A31F62', 'Arn'] }, '/cordon.yaml']],
    });
    const userData = JSON.stringify(s.template.findResources('AWS::EC2::LaunchTemplate'));
    assert.match(userData, /--policy-source s3:\/\/",\{"Ref":"CordonPolicyBucket70A31F62"\},"\/cordon\.yaml/);
  });

  it('enables root access only when asked, and claims no Elastic IPs', () => {
    s.template.hasResourceProperties('AWS::SageMaker::NotebookInstance', {
      RootAccess: 'Enabled',
      DirectInternetAccess: 'Disabled',
    });
    s.template.resourceCountIs('AWS::EC2::EIP', 0);
    assert.doesNotMatch(
      JSON.stringify(s.template.findResources('AWS::EC2::LaunchTemplate')),
      /associate-address/,
    );
  });
});
