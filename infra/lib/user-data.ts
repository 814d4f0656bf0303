/**
 * @module infra/user-data
 * The proxies' boot script: claim an Elastic IP from the pool (optional), fetch the Cordon tarball
 * and install-cordon.sh from their assets, read the admin token from Secrets Manager, and run the
 * installer with the policy source and the log groups. Builds text only; grants nothing.
 */
import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { ADMIN_PORT, PROXY_PORT } from './network.js';

export interface UserDataInputs {
  readonly tarball: Asset;
  readonly installer: Asset;
  readonly policySource: string;
  readonly pollSeconds: number;
  readonly adminTokenArn: string;
  readonly logGroups: { access: string; decisions: string; service: string };
  /** Allocation IDs of the Elastic IP pool; empty for none. */
  readonly elasticIpAllocations: readonly string[];
}

/**
 * An Auto Scaling group cannot give its instances Elastic IPs, so each instance claims one itself:
 * `associate-address --no-allow-reassociation` fails on an address already in use, so it tries the
 * pool in order until one sticks. Done first: the public address changes under open connections.
 */
function claimElasticIp(allocations: readonly string[]): string[] {
  if (allocations.length === 0) return [];
  return [
    'TOKEN=$(curl -sf -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" http://169.254.169.254/latest/api/token)',
    'INSTANCE_ID=$(curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
    'CLAIMED=',
    `for ALLOC in ${allocations.join(' ')}; do`,
    '  if aws ec2 associate-address --instance-id "$INSTANCE_ID" --allocation-id "$ALLOC" --no-allow-reassociation >/dev/null; then CLAIMED=$ALLOC; break; fi',
    'done',
    'if [ -z "$CLAIMED" ]; then echo "cordon: no free Elastic IP in the pool; keeping the instance address" >&2; fi',
  ];
}

/** The complete user data of a proxy instance. */
export function proxyUserData(inputs: UserDataInputs): ec2.UserData {
  const ud = ec2.UserData.forLinux();
  const s3Url = (a: Asset) => `s3://${a.s3BucketName}/${a.s3ObjectKey}`;
  ud.addCommands(
    'set -euo pipefail',
    `export AWS_REGION=${Aws.REGION} AWS_DEFAULT_REGION=${Aws.REGION}`,
    ...claimElasticIp(inputs.elasticIpAllocations),
    'mkdir -p /opt/cordon-install',
    `aws s3 cp ${s3Url(inputs.tarball)} /opt/cordon-install/cordon.tgz`,
    `aws s3 cp ${s3Url(inputs.installer)} /opt/cordon-install/install-cordon.sh`,
    `CORDON_ADMIN_TOKEN=$(aws secretsmanager get-secret-value --secret-id ${inputs.adminTokenArn} --query SecretString --output text)`,
    'export CORDON_ADMIN_TOKEN',
    [
      'bash /opt/cordon-install/install-cordon.sh --tarball /opt/cordon-install/cordon.tgz',
      `--policy-source ${inputs.policySource} --poll-seconds ${inputs.pollSeconds}`,
      `--listen 0.0.0.0:${PROXY_PORT} --admin-listen 0.0.0.0:${ADMIN_PORT}`,
      `--cw-access-log-group ${inputs.logGroups.access}`,
      `--cw-decision-log-group ${inputs.logGroups.decisions}`,
      `--cw-service-log-group ${inputs.logGroups.service}`,
    ].join(' '),
  );
  return ud;
}
