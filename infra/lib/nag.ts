/**
 * @module infra/nag
 * The cdk-nag (AwsSolutions) findings this construct accepts, each narrowed with `appliesTo` where
 * the rule allows it, and each with the reason it is acceptable here. Anything not listed must be
 * fixed, not suppressed: the tests fail on any unsuppressed AwsSolutions error or warning.
 */
import { Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { CordonFleet } from './fleet.js';
import type { CordonNotebook } from './notebook.js';
import type { ResolvedProps } from './props.js';

export interface NagTargets {
  readonly fleet: CordonFleet;
  readonly adminToken: Construct;
  readonly notebook: CordonNotebook | undefined;
}

function fleetFindings(p: ResolvedProps, t: NagTargets): void {
  NagSuppressions.addResourceSuppressions(t.fleet.role, [
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'Session Manager is the only way onto a proxy (no key pair, no inbound SSH); AWS maintains this policy for exactly that.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    },
  ]);
  if (p.elasticIps) {
    NagSuppressions.addResourceSuppressions(
      t.fleet.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Instance IDs are unknown before launch: ec2:AssociateAddress on instances is limited by condition to those tagged with this fleet, and on addresses to the pool.',
          appliesTo: ['Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*'],
        },
      ],
      true,
    );
  }
  NagSuppressions.addResourceSuppressions(
    t.fleet.asg,
    [
      {
        id: 'AwsSolutions-AS3',
        reason:
          'Scaling events are in the group activity history; HealthyProxiesAlarm fires when fewer than minCapacity proxies serve, which is what operators act on.',
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(t.fleet.loadBalancer, [
    {
      id: 'AwsSolutions-ELB2',
      reason:
        'NLB access logs cover TLS listeners only; this TCP listener would log nothing. Cordon logs every request itself (access and decision logs in CloudWatch).',
    },
  ]);
  NagSuppressions.addResourceSuppressions(t.adminToken, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'A static bearer token read at boot; rotation would need a rotation Lambda and a fleet refresh. docs/deploy-aws.md shows the manual rotation.',
    },
  ]);
}

function notebookFindings(p: ResolvedProps, notebook: CordonNotebook): void {
  NagSuppressions.addResourceSuppressions(
    notebook.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'SageMaker writes lifecycle-script output to per-instance streams of this one fixed log group.',
        appliesTo: [
          'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/NotebookInstances:*',
        ],
      },
      ...(p.s3Buckets.length > 0
        ? [
            {
              id: 'AwsSolutions-IAM5',
              reason:
                'The objects of the buckets named in s3Buckets: the data the notebook is there to read and write.',
              appliesTo: p.s3Buckets.map((b) => `Resource::arn:<AWS::Partition>:s3:::${b}/*`),
            },
          ]
        : []),
    ],
    true,
  );
}

/** CDK's BucketDeployment provider (a stack-level singleton) that writes the S3 policy object. */
function bucketDeploymentFindings(scope: Construct): void {
  const stack = Stack.of(scope);
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    const reason =
      'CDK-managed BucketDeployment provider, run at deploy time only to write the policy object; ';
    NagSuppressions.addResourceSuppressions(
      child,
      [
        { id: 'AwsSolutions-L1', reason: `${reason}its runtime is chosen and updated by aws-cdk-lib.` },
        {
          id: 'AwsSolutions-IAM4',
          reason: `${reason}the basic execution role only lets it write its own logs.`,
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: `${reason}its S3 grants cover the CDK asset bucket and the policy bucket only.`,
        },
      ],
      true,
    );
  }
}

/** Add every accepted finding with its reason. Call after all resources exist. */
export function suppressFindings(scope: Construct, p: ResolvedProps, t: NagTargets): void {
  fleetFindings(p, t);
  if (t.notebook !== undefined) notebookFindings(p, t.notebook);
  if (p.policyStore === 's3') bucketDeploymentFindings(scope);
}
