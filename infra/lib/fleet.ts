/**
 * @module infra/fleet
 * The proxy fleet: instance role (read exactly the policy, the two assets, the admin token; write the
 * three log groups; Session Manager), launch template (Graviton, AL2023, IMDSv2 only with hop limit
 * 1, encrypted gp3, no key pair), Auto Scaling group across AZs in the proxy subnets, optional
 * Elastic IP pool, and the internal Network Load Balancer on 3128 with client IP preservation and an
 * HTTP health check of the admin port's /healthz.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, Names, Tags } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { CordonLogs } from './logging.js';
import { ADMIN_PORT, PROXY_PORT, type CordonNetwork } from './network.js';
import type { PolicyStore } from './policy-store.js';
import type { ResolvedProps } from './props.js';
import { proxyUserData } from './user-data.js';

export const INSTALLER_PATH = join(
  fileURLToPath(new URL('.', import.meta.url)),
  '../scripts/install-cordon.sh',
);

export interface CordonFleet {
  readonly role: iam.Role;
  readonly asg: autoscaling.AutoScalingGroup;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly targetGroup: elbv2.NetworkTargetGroup;
  readonly elasticIps: ec2.CfnEIP[];
  readonly healthAlarm: cloudwatch.Alarm;
}

export interface FleetInputs {
  readonly props: ResolvedProps;
  readonly network: CordonNetwork;
  readonly policy: PolicyStore;
  readonly logs: CordonLogs;
  readonly adminToken: secretsmanager.ISecret;
}

function instanceRole(scope: Construct, inputs: FleetInputs, assets: Asset[]): iam.Role {
  const role = new iam.Role(scope, 'ProxyRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'Cordon proxy instances',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  inputs.policy.grantRead(role);
  inputs.adminToken.grantRead(role);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: assets.map((a) => `arn:${Aws.PARTITION}:s3:::${a.s3BucketName}/${a.s3ObjectKey}`),
    }),
  );
  const { access, decisions, service } = inputs.logs;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [access.logGroupArn, decisions.logGroupArn, service.logGroupArn],
    }),
  );
  return role;
}

/** Tag on every proxy instance; the Elastic IP grant is limited to instances that carry it. */
export const FLEET_TAG = 'cordon:fleet';

function elasticIpPool(scope: Construct, p: ResolvedProps, role: iam.Role, fleetId: string): ec2.CfnEIP[] {
  if (!p.elasticIps) return [];
  const eips = Array.from(
    { length: p.maxCapacity },
    (_, i) => new ec2.CfnEIP(scope, `ProxyElasticIp${i + 1}`, { domain: 'vpc' }),
  );
  const eipArn = (e: ec2.CfnEIP) =>
    `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:elastic-ip/${e.attrAllocationId}`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['ec2:AssociateAddress'], resources: eips.map(eipArn) }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:AssociateAddress'],
      resources: [`arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:instance/*`],
      conditions: { StringEquals: { [`ec2:ResourceTag/${FLEET_TAG}`]: fleetId } },
    }),
  );
  return eips;
}

function launchTemplate(
  scope: Construct,
  p: ResolvedProps,
  net: CordonNetwork,
  role: iam.Role,
  userData: ec2.UserData,
) {
  return new ec2.LaunchTemplate(scope, 'ProxyLaunchTemplate', {
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
    instanceType: new ec2.InstanceType(p.instanceType),
    role,
    securityGroup: net.proxySecurityGroup,
    userData,
    requireImdsv2: true,
    httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
    httpPutResponseHopLimit: 1,
    associatePublicIpAddress: true,
    detailedMonitoring: true,
    blockDevices: [
      {
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(16, {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      },
    ],
  });
}

function loadBalancer(
  scope: Construct,
  p: ResolvedProps,
  net: CordonNetwork,
  asg: autoscaling.AutoScalingGroup,
) {
  const nlb = new elbv2.NetworkLoadBalancer(scope, 'ProxyLoadBalancer', {
    vpc: net.vpc,
    internetFacing: false,
    vpcSubnets: net.notebookSubnets,
    securityGroups: [net.loadBalancerSecurityGroup],
    crossZoneEnabled: true,
  });
  const targetGroup = new elbv2.NetworkTargetGroup(scope, 'ProxyTargets', {
    vpc: net.vpc,
    port: PROXY_PORT,
    protocol: elbv2.Protocol.TCP,
    targetType: elbv2.TargetType.INSTANCE,
    preserveClientIp: true,
    targets: [asg],
    healthCheck: {
      protocol: elbv2.Protocol.HTTP,
      port: String(ADMIN_PORT),
      path: '/healthz',
      interval: Duration.seconds(10),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
    },
  });
  nlb.addListener('ProxyListener', {
    port: PROXY_PORT,
    protocol: elbv2.Protocol.TCP,
    defaultTargetGroups: [targetGroup],
  });
  const healthAlarm = targetGroup.metrics
    .healthyHostCount({ period: Duration.minutes(1) })
    .createAlarm(scope, 'HealthyProxiesAlarm', {
      alarmDescription: `Fewer than ${p.minCapacity} healthy Cordon proxies behind the load balancer`,
      threshold: p.minCapacity,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  return { nlb, targetGroup, healthAlarm };
}

/** Create the fleet and its load balancer. */
export function createFleet(scope: Construct, inputs: FleetInputs): CordonFleet {
  const p = inputs.props;
  const tarball = new Asset(scope, 'PackageAsset', { path: p.packageTarball });
  const installer = new Asset(scope, 'InstallerAsset', { path: INSTALLER_PATH });
  const role = instanceRole(scope, inputs, [tarball, installer]);
  const fleetId = Names.uniqueId(scope);
  const elasticIps = elasticIpPool(scope, p, role, fleetId);
  const userData = proxyUserData({
    tarball,
    installer,
    policySource: inputs.policy.source,
    pollSeconds: p.pollSeconds,
    adminTokenArn: inputs.adminToken.secretArn,
    logGroups: {
      access: inputs.logs.access.logGroupName,
      decisions: inputs.logs.decisions.logGroupName,
      service: inputs.logs.service.logGroupName,
    },
    elasticIpAllocations: elasticIps.map((e) => e.attrAllocationId),
  });
  const asg = new autoscaling.AutoScalingGroup(scope, 'ProxyFleet', {
    vpc: inputs.network.vpc,
    vpcSubnets: inputs.network.proxySubnets,
    launchTemplate: launchTemplate(scope, p, inputs.network, role, userData),
    minCapacity: p.minCapacity,
    maxCapacity: p.maxCapacity,
    ...(inputs.props.desiredCapacity !== p.minCapacity ? { desiredCapacity: p.desiredCapacity } : {}),
    healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
      additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
      gracePeriod: Duration.minutes(10),
    }),
    updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
      maxBatchSize: 1,
      minInstancesInService: Math.min(p.desiredCapacity, p.maxCapacity - 1),
      pauseTime: Duration.minutes(5),
    }),
  });
  Tags.of(asg).add(FLEET_TAG, fleetId, { applyToLaunchedInstances: true });
  const { nlb, targetGroup, healthAlarm } = loadBalancer(scope, p, inputs.network, asg);
  return { role, asg, loadBalancer: nlb, targetGroup, elasticIps, healthAlarm };
}
