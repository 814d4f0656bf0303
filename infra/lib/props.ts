/**
 * @module infra/props
 * `CordonEgressProps`, their defaults, and the one early validation of them: every rejected value is
 * shown with what to write instead, before any resource is created. Reads only the files named by
 * the props (to check they exist).
 */
import { existsSync, statSync } from 'node:fs';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';

/** Options of the SageMaker notebook instance the construct creates. */
export interface CordonNotebookProps {
  /** Default `ml.t3.medium`. */
  readonly instanceType?: string;
  /** Root access for notebook users. Default false: users cannot undo the proxy settings with sudo. */
  readonly rootAccess?: boolean;
  /** EBS volume in GB. Default 20. */
  readonly volumeSizeGb?: number;
}

export interface CordonEgressProps {
  /** `npm pack` tarball of Cordon (.tgz), uploaded as an asset and installed on each proxy. */
  readonly packageTarball: string;
  /** The policy (cordon.yaml). Its `allowFiles` are inlined, since an instance fetches one object. */
  readonly policyFile: string;
  /** Where the policy lives: an SSM String parameter (default) or an object in a versioned S3 bucket. */
  readonly policyStore?: 'ssm' | 's3';
  /** Name of the SSM parameter. Default `/cordon/policy`. */
  readonly policyParameterName?: string;
  /** How often the gateway polls the policy source, in seconds. Default 30. */
  readonly pollSeconds?: number;
  /** An existing VPC. Default: a new one over 2 AZs with public and isolated subnets and no NAT. */
  readonly vpc?: ec2.IVpc;
  /** CIDR of the new VPC. Default 10.40.0.0/16. Ignored with `vpc`. */
  readonly vpcCidr?: string;
  /** Where the proxies run; they need a route to an internet gateway. Default: public subnets. */
  readonly proxySubnets?: ec2.SubnetSelection;
  /** Where the notebook and the load balancer live; no route out. Default: isolated subnets. */
  readonly notebookSubnets?: ec2.SubnetSelection;
  /** Graviton (ARM) instance type of the proxies. Default t4g.small. */
  readonly instanceType?: string;
  /** Auto Scaling group size. Defaults: min 2, desired = min, max = desired + 1 (room for rolling updates). */
  readonly minCapacity?: number;
  readonly desiredCapacity?: number;
  readonly maxCapacity?: number;
  /** Give every proxy a fixed public address from a pool of `maxCapacity` Elastic IPs. Default false. */
  readonly elasticIps?: boolean;
  /** Destination ports the proxies may connect to on the internet. Default [80, 443]. */
  readonly egressPorts?: readonly number[];
  /** Retention of the CloudWatch log groups. Default 90 days. */
  readonly logRetention?: RetentionDays;
  /** Denials per 5 minutes that raise the deny alarm. Default 100. */
  readonly denyAlarmThreshold?: number;
  /** Where alarms notify. Default: alarms without actions. */
  readonly alarmTopic?: sns.ITopic;
  /** The notebook instance; `false` to create none (bring your own, using `notebookSecurityGroup`). */
  readonly notebook?: CordonNotebookProps | false;
  /** Buckets the notebook may use through an S3 gateway endpoint (also scopes its role). */
  readonly s3Buckets?: readonly string[];
  /** The region's S3 prefix list (`pl-…`), required with `s3Buckets` for the security group rule. */
  readonly s3PrefixListId?: string;
  /** SageMaker API and runtime interface endpoints in the notebook subnets. Default false. */
  readonly sageMakerEndpoints?: boolean;
}

/** Props with every default applied. */
export interface ResolvedProps extends CordonEgressProps {
  readonly policyStore: 'ssm' | 's3';
  readonly policyParameterName: string;
  readonly pollSeconds: number;
  readonly vpcCidr: string;
  readonly instanceType: string;
  readonly minCapacity: number;
  readonly desiredCapacity: number;
  readonly maxCapacity: number;
  readonly elasticIps: boolean;
  readonly egressPorts: readonly number[];
  readonly logRetention: RetentionDays;
  readonly denyAlarmThreshold: number;
  readonly s3Buckets: readonly string[];
  readonly sageMakerEndpoints: boolean;
}

/** Default EC2 quota of Elastic IPs per region; a bigger pool needs a quota increase first. */
const EIP_QUOTA = 5;
const GRAVITON = /^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PARAMETER = /^\/[A-Za-z0-9_.\-/]{1,1000}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/;

function fail(prop: string, value: unknown, fix: string): never {
  throw new Error(`CordonEgress: ${prop} ${JSON.stringify(value)} is not valid: ${fix}`);
}

function checkInt(prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    fail(prop, value, `use a whole number from ${min} to ${max}`);
}

function checkFile(prop: string, path: string, exts: readonly string[]): void {
  if (!exts.some((ext) => path.endsWith(ext))) fail(prop, path, `name a ${exts.join(' or ')} file`);
  if (!existsSync(path) || !statSync(path).isFile())
    fail(prop, path, 'the file does not exist (paths are relative to the current directory)');
}

function checkCapacity(p: ResolvedProps): void {
  checkInt('minCapacity', p.minCapacity, 1, 20);
  checkInt('desiredCapacity', p.desiredCapacity, p.minCapacity, 20);
  checkInt('maxCapacity', p.maxCapacity, p.desiredCapacity, 20);
  if (p.elasticIps && p.maxCapacity > EIP_QUOTA) {
    fail(
      'maxCapacity',
      p.maxCapacity,
      `with elasticIps the pool has maxCapacity addresses; keep it <= ${EIP_QUOTA} (the default EIP quota) or raise the quota first`,
    );
  }
}

function checkNetwork(p: ResolvedProps): void {
  const m = CIDR.exec(p.vpcCidr);
  if (m === null || m.slice(1, 5).some((o) => Number(o) > 255))
    fail('vpcCidr', p.vpcCidr, 'use an IPv4 CIDR from /16 to /24, e.g. 10.40.0.0/16');
  for (const port of p.egressPorts) checkInt('egressPorts[]', port, 1, 65535);
  if (p.egressPorts.length === 0)
    fail('egressPorts', p.egressPorts, 'list at least one port, e.g. [80, 443]');
  for (const b of p.s3Buckets)
    if (!BUCKET.test(b))
      fail('s3Buckets[]', b, 'use an S3 bucket name (lowercase letters, digits, dots, hyphens)');
  if (p.s3Buckets.length > 0 && !/^pl-[0-9a-f]{8,17}$/.test(p.s3PrefixListId ?? '')) {
    fail(
      's3PrefixListId',
      p.s3PrefixListId,
      'with s3Buckets, give the S3 prefix list: aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.REGION.s3',
    );
  }
}

function checkNotebook(n: CordonNotebookProps | false | undefined): void {
  if (n === undefined || n === false) return;
  if (n.instanceType !== undefined && !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(n.instanceType)) {
    fail('notebook.instanceType', n.instanceType, 'use a SageMaker notebook type such as ml.t3.medium');
  }
  if (n.volumeSizeGb !== undefined) checkInt('notebook.volumeSizeGb', n.volumeSizeGb, 5, 16384);
}

/** Apply defaults and validate; throws an Error naming the prop, the bad value and the fix. */
export function resolveProps(props: CordonEgressProps): ResolvedProps {
  const minCapacity = props.minCapacity ?? 2;
  const desiredCapacity = props.desiredCapacity ?? minCapacity;
  const p: ResolvedProps = {
    ...props,
    policyStore: props.policyStore ?? 'ssm',
    policyParameterName: props.policyParameterName ?? '/cordon/policy',
    pollSeconds: props.pollSeconds ?? 30,
    vpcCidr: props.vpcCidr ?? '10.40.0.0/16',
    instanceType: props.instanceType ?? 't4g.small',
    minCapacity,
    desiredCapacity,
    maxCapacity: props.maxCapacity ?? desiredCapacity + 1,
    elasticIps: props.elasticIps ?? false,
    egressPorts: props.egressPorts ?? [80, 443],
    logRetention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    denyAlarmThreshold: props.denyAlarmThreshold ?? 100,
    s3Buckets: props.s3Buckets ?? [],
    sageMakerEndpoints: props.sageMakerEndpoints ?? false,
  };
  checkFile('packageTarball', p.packageTarball, ['.tgz']);
  checkFile('policyFile', p.policyFile, ['.yaml', '.yml']);
  if (p.policyStore !== 'ssm' && p.policyStore !== 's3')
    fail('policyStore', p.policyStore, "use 'ssm' or 's3'");
  if (!PARAMETER.test(p.policyParameterName))
    fail('policyParameterName', p.policyParameterName, 'use a path such as /cordon/policy');
  checkInt('pollSeconds', p.pollSeconds, 5, 86400);
  if (!GRAVITON.test(p.instanceType))
    fail('instanceType', p.instanceType, 'use a Graviton (ARM) type such as t4g.small; the AMI is arm64');
  checkCapacity(p);
  checkNetwork(p);
  checkNotebook(p.notebook);
  if (!Object.values(RetentionDays).includes(p.logRetention))
    fail('logRetention', p.logRetention, 'use a logs.RetentionDays value');
  checkInt('denyAlarmThreshold', p.denyAlarmThreshold, 1, 1_000_000);
  return p;
}
