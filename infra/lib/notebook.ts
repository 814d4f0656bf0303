/**
 * @module infra/notebook
 * The SageMaker notebook instance behind Cordon: in an isolated subnet, no direct internet access,
 * no root access unless asked, volume encrypted with its own rotating KMS key, an execution role
 * scoped to the named buckets, and the on-start lifecycle configuration that `cordon lifecycle`
 * generates (proxy = the load balancer's DNS name, NO_PROXY + the VPC endpoints).
 */
import { Aws, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { lifecycleScript } from '../../src/lifecycle/script.js';
import { PROXY_PORT, REGION_PLACEHOLDER, type CordonNetwork } from './network.js';
import type { CordonNotebookProps, ResolvedProps } from './props.js';

/** Stands for the load balancer's DNS name inside the script until CloudFormation fills it in. */
export const PROXY_HOST_PLACEHOLDER = 'cordon-proxy-host.invalid';

export interface CordonNotebook {
  readonly instance: sagemaker.CfnNotebookInstance;
  readonly lifecycle: sagemaker.CfnNotebookInstanceLifecycleConfig;
  readonly role: iam.Role;
  readonly key: kms.Key;
}

/**
 * The on-start script with the placeholders replaced by CloudFormation values. The script is made
 * (and validated) with placeholder names, then split on them and joined around the tokens.
 */
export function onStartContent(noProxy: readonly string[], proxyHost: string): string {
  const script = lifecycleScript({ proxy: `http://${PROXY_HOST_PLACEHOLDER}:${PROXY_PORT}`, noProxy });
  const values: Record<string, string> = {
    [PROXY_HOST_PLACEHOLDER]: proxyHost,
    [REGION_PLACEHOLDER]: Aws.REGION,
  };
  const parts = script
    .split(/(cordon-proxy-host\.invalid|cordon-region\.invalid)/)
    .map((part) => values[part] ?? part);
  return Fn.base64(Fn.join('', parts));
}

function executionRole(scope: Construct, p: ResolvedProps): iam.Role {
  const role = new iam.Role(scope, 'NotebookRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Cordon notebook: only the named buckets',
  });
  if (p.s3Buckets.length > 0) {
    const arn = (b: string) => `arn:${Aws.PARTITION}:s3:::${b}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: p.s3Buckets.map(arn),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: p.s3Buckets.map((b) => `${arn(b)}/*`),
      }),
    );
  }
  // Lifecycle-script output goes to this log group; without it a failing script is a mystery.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
      ],
      resources: [
        `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/NotebookInstances:*`,
      ],
    }),
  );
  return role;
}

/** The notebook instance, its key, role and lifecycle configuration. */
export function createNotebook(
  scope: Construct,
  p: ResolvedProps,
  net: CordonNetwork,
  proxyHost: string,
): CordonNotebook {
  const opts: CordonNotebookProps = p.notebook === false || p.notebook === undefined ? {} : p.notebook;
  const key = new kms.Key(scope, 'NotebookKey', {
    description: 'Cordon notebook volume',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = executionRole(scope, p);
  const lifecycle = new sagemaker.CfnNotebookInstanceLifecycleConfig(scope, 'NotebookLifecycle', {
    onStart: [{ content: onStartContent(net.noProxy, proxyHost) }],
  });
  const subnetId = net.vpc.selectSubnets(net.notebookSubnets).subnetIds[0];
  if (subnetId === undefined)
    throw new Error('CordonEgress: notebookSubnets selects no subnet: give a selection with at least one');
  const instance = new sagemaker.CfnNotebookInstance(scope, 'Notebook', {
    instanceType: opts.instanceType ?? 'ml.t3.medium',
    roleArn: role.roleArn,
    subnetId,
    securityGroupIds: [net.notebookSecurityGroup.securityGroupId],
    directInternetAccess: 'Disabled',
    rootAccess: opts.rootAccess === true ? 'Enabled' : 'Disabled',
    kmsKeyId: key.keyId,
    lifecycleConfigName: lifecycle.attrNotebookInstanceLifecycleConfigName,
    volumeSizeInGb: opts.volumeSizeGb ?? 20,
  });
  return { instance, lifecycle, role, key };
}
