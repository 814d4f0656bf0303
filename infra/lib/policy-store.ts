/**
 * @module infra/policy-store
 * Where the proxies fetch their policy: an SSM String parameter (Advanced tier above 4 KB) or one
 * object in a versioned, encrypted, TLS-only, private bucket with access logging. Returns the
 * `policy.source` the gateway config names and a grant that lets a role read exactly that parameter
 * or object. Construct IDs here are API (stateful resources).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { SSM_ADVANCED_MAX, SSM_STANDARD_MAX } from './policy-bundle.js';
import type { ResolvedProps } from './props.js';

export const POLICY_OBJECT_KEY = 'cordon.yaml';

export interface PolicyStore {
  /** `ssm:/name` or `s3://bucket/key`, for the gateway's `policy.source`. */
  readonly source: string;
  /** Allow `role` to read the policy and nothing else. */
  grantRead(role: iam.IRole): void;
  readonly parameter?: ssm.StringParameter;
  readonly bucket?: s3.Bucket;
}

function ssmStore(scope: Construct, p: ResolvedProps, doc: string): PolicyStore {
  const bytes = Buffer.byteLength(doc);
  if (bytes > SSM_ADVANCED_MAX) {
    throw new Error(
      `CordonEgress: the bundled policy is ${bytes} bytes, over the SSM limit of ${SSM_ADVANCED_MAX}: use policyStore: 's3'`,
    );
  }
  const parameter = new ssm.StringParameter(scope, 'PolicyParameter', {
    parameterName: p.policyParameterName,
    description: 'Cordon policy (cordon.yaml with allowlists inlined); proxies poll it',
    stringValue: doc,
    tier: bytes > SSM_STANDARD_MAX ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
  });
  return {
    source: `ssm:${p.policyParameterName}`,
    parameter,
    grantRead(role) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameter.parameterArn] }),
      );
    },
  };
}

function s3Store(scope: Construct, doc: string): PolicyStore {
  const common = {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.RETAIN,
  };
  const accessLogs = new s3.Bucket(scope, 'PolicyAccessLogsBucket', {
    ...common,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
  });
  const bucket = new s3.Bucket(scope, 'PolicyBucket', {
    ...common,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'policy-bucket/',
  });
  new s3deploy.BucketDeployment(scope, 'PolicyDeployment', {
    destinationBucket: bucket,
    sources: [s3deploy.Source.data(POLICY_OBJECT_KEY, doc)],
    prune: false,
    retainOnDelete: true,
  });
  return {
    source: `s3://${bucket.bucketName}/${POLICY_OBJECT_KEY}`,
    bucket,
    grantRead(role) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [bucket.arnForObjects(POLICY_OBJECT_KEY)],
        }),
      );
    },
  };
}

/** The policy store chosen by `policyStore`, holding `doc`. */
export function createPolicyStore(scope: Construct, p: ResolvedProps, doc: string): PolicyStore {
  return p.policyStore === 's3' ? s3Store(scope, doc) : ssmStore(scope, p, doc);
}
