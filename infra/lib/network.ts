/**
 * @module infra/network
 * The network of the egress gateway: the VPC (new, or given), and every security group with every
 * rule it has. Nothing accepts traffic from the internet; notebooks reach only the load balancer
 * (and the VPC endpoints chosen); the load balancer reaches only the proxies; the proxies reach the
 * internet on the egress ports and the VPC resolver. Also the optional VPC endpoints and the
 * NO_PROXY names they add. Must not create compute.
 */
import { Aws, RemovalPolicy, type IResolvable, type IResolveContext } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ResolvedProps } from './props.js';

/** Stands for the region inside the lifecycle script until CloudFormation fills it in. */
export const REGION_PLACEHOLDER = 'cordon-region.invalid';

export const PROXY_PORT = 3128;
export const ADMIN_PORT = 9090;

export interface CordonNetwork {
  readonly vpc: ec2.IVpc;
  readonly proxySubnets: ec2.SubnetSelection;
  readonly notebookSubnets: ec2.SubnetSelection;
  readonly proxySecurityGroup: ec2.SecurityGroup;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  readonly notebookSecurityGroup: ec2.SecurityGroup;
  /** NO_PROXY entries for the endpoints created (region as `REGION_PLACEHOLDER`). */
  readonly noProxy: readonly string[];
}

function newVpc(scope: Construct, p: ResolvedProps): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(p.vpcCidr),
    maxAzs: 2,
    natGateways: 0,
    // Nothing uses the default security group; restricting it needs a Lambda-backed custom resource.
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [
      { name: 'Proxy', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Notebook', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const flowLogs = new logs.LogGroup(scope, 'FlowLogGroup', {
    retention: p.logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
  return vpc;
}

/** The VPC resolver (base + 2) when the CIDR is known at synth; else the whole VPC range. */
function resolverPeer(vpc: ec2.IVpc, cidr: string | undefined): ec2.IPeer {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(cidr ?? '');
  if (m === null) return ec2.Peer.ipv4(vpc.vpcCidrBlock);
  return ec2.Peer.ipv4(`${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + 2}/32`);
}

/** CDK's own stand-in rule for "no egress" (nothing matches 255.255.255.255/32 ICMP 252/86). */
const NO_TRAFFIC = {
  cidrIp: '255.255.255.255/32',
  description: 'Disallow all traffic',
  ipProtocol: 'icmp',
  fromPort: 252,
  toPort: 86,
};

/**
 * A group with no outbound rules of its own. CDK writes rules whose peer is another group as separate
 * resources and then drops its "no traffic" stand-in; a group left with no inline egress gets EC2's
 * default allow-all rule. Keep the stand-in whenever nothing else is inline.
 */
function securityGroup(scope: Construct, id: string, vpc: ec2.IVpc, description: string): ec2.SecurityGroup {
  const sg = new ec2.SecurityGroup(scope, id, { vpc, description, allowAllOutbound: false });
  const cfn = sg.node.defaultChild as ec2.CfnSecurityGroup;
  const inline: unknown = cfn.securityGroupEgress;
  const closed: IResolvable = {
    creationStack: [],
    resolve: (ctx: IResolveContext) => {
      const rules: unknown = ctx.resolve(inline);
      return Array.isArray(rules) && rules.length > 0 ? rules : [NO_TRAFFIC];
    },
    toString: () => `${id} egress`,
  };
  cfn.securityGroupEgress = closed;
  return sg;
}

function addEndpoints(scope: Construct, p: ResolvedProps, net: CordonNetwork, noProxy: string[]): void {
  const { vpc, notebookSecurityGroup: notebookSg } = net;
  if (p.sageMakerEndpoints) {
    const sg = securityGroup(
      scope,
      'EndpointSecurityGroup',
      vpc,
      'Cordon: SageMaker endpoints, 443 from notebooks',
    );
    sg.addIngressRule(notebookSg, ec2.Port.tcp(443), 'notebooks to the SageMaker endpoints');
    notebookSg.addEgressRule(sg, ec2.Port.tcp(443), 'to the SageMaker VPC endpoints');
    const services = [
      ['SageMakerApiEndpoint', ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API, 'api.sagemaker'],
      ['SageMakerRuntimeEndpoint', ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME, 'runtime.sagemaker'],
    ] as const;
    for (const [id, service, name] of services) {
      vpc.addInterfaceEndpoint(id, {
        service,
        subnets: net.notebookSubnets,
        securityGroups: [sg],
        privateDnsEnabled: true,
        open: false,
      });
      noProxy.push(`${name}.${REGION_PLACEHOLDER}.amazonaws.com`);
    }
  }
  if (p.s3Buckets.length > 0) {
    const endpoint = vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [net.notebookSubnets],
    });
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetBucketLocation'],
        resources: p.s3Buckets.flatMap((b) => [
          `arn:${Aws.PARTITION}:s3:::${b}`,
          `arn:${Aws.PARTITION}:s3:::${b}/*`,
        ]),
      }),
    );
    notebookSg.addEgressRule(
      ec2.Peer.prefixList(p.s3PrefixListId ?? ''),
      ec2.Port.tcp(443),
      'to S3 through the gateway endpoint',
    );
    noProxy.push(`s3.${REGION_PLACEHOLDER}.amazonaws.com`, `.s3.${REGION_PLACEHOLDER}.amazonaws.com`);
  }
}

/** Create (or adopt) the VPC, the security groups with their exact rules, and the endpoints. */
export function createNetwork(scope: Construct, p: ResolvedProps): CordonNetwork {
  const vpc = p.vpc ?? newVpc(scope, p);
  const cidr = p.vpc === undefined ? p.vpcCidr : undefined;
  const proxySg = securityGroup(
    scope,
    'ProxySecurityGroup',
    vpc,
    'Cordon proxies: 3128/9090 from the load balancer; out on the egress ports',
  );
  const lbSg = securityGroup(
    scope,
    'LoadBalancerSecurityGroup',
    vpc,
    'Cordon load balancer: 3128 from notebooks; to the proxies',
  );
  const notebookSg = securityGroup(
    scope,
    'NotebookSecurityGroup',
    vpc,
    'Cordon notebooks: out only to the proxy (and chosen endpoints)',
  );

  lbSg.addIngressRule(notebookSg, ec2.Port.tcp(PROXY_PORT), 'notebooks to the proxy listener');
  lbSg.addEgressRule(proxySg, ec2.Port.tcp(PROXY_PORT), 'to the proxies');
  lbSg.addEgressRule(proxySg, ec2.Port.tcp(ADMIN_PORT), 'health checks of the proxies (/healthz)');
  // The load balancer's group, not the notebooks', is what the proxies see as the source, even with
  // client IP preservation on (NLB security group referencing).
  proxySg.addIngressRule(lbSg, ec2.Port.tcp(PROXY_PORT), 'proxy traffic through the load balancer');
  proxySg.addIngressRule(lbSg, ec2.Port.tcp(ADMIN_PORT), 'load balancer health checks (/healthz)');
  for (const port of p.egressPorts) {
    proxySg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), `allowlisted destinations on ${port}`);
  }
  const resolver = resolverPeer(vpc, cidr);
  proxySg.addEgressRule(resolver, ec2.Port.udp(53), 'DNS to the VPC resolver');
  proxySg.addEgressRule(resolver, ec2.Port.tcp(53), 'DNS over TCP to the VPC resolver');
  notebookSg.addEgressRule(lbSg, ec2.Port.tcp(PROXY_PORT), 'to Cordon through the load balancer');

  const net: CordonNetwork = {
    vpc,
    proxySubnets: p.proxySubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
    notebookSubnets: p.notebookSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    proxySecurityGroup: proxySg,
    loadBalancerSecurityGroup: lbSg,
    notebookSecurityGroup: notebookSg,
    noProxy: [],
  };
  const noProxy: string[] = [];
  addEndpoints(scope, p, net, noProxy);
  return { ...net, noProxy };
}
