/**
 * @module infra/cordon-egress
 * `CordonEgress`: the construct that deploys Cordon in front of SageMaker notebooks (DESIGN.md §5).
 * Validates its props first, then composes the network, policy store, logs, admin token, proxy fleet
 * behind an internal NLB, and the notebook. Construct IDs of stateful resources are API: never
 * rename them (tests pin their logical IDs). Must not be imported by Cordon's runtime code.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { createFleet, type CordonFleet } from './fleet.js';
import { createLogs, wireAlarms, type CordonLogs } from './logging.js';
import { suppressFindings } from './nag.js';
import { createNetwork, PROXY_PORT, type CordonNetwork } from './network.js';
import { createNotebook, type CordonNotebook } from './notebook.js';
import { bundlePolicy } from './policy-bundle.js';
import { createPolicyStore, type PolicyStore } from './policy-store.js';
import { resolveProps, type CordonEgressProps } from './props.js';

export type { CordonEgressProps, CordonNotebookProps } from './props.js';

export class CordonEgress extends Construct {
  /** `http://<internal NLB DNS name>:3128`: what clients put in HTTP(S)_PROXY. */
  readonly proxyUrl: string;
  /** `ssm:/name` or `s3://bucket/key`: where the proxies read the policy. */
  readonly policySource: string;
  readonly vpc: ec2.IVpc;
  /** Give this group to your own notebooks (or other clients) to let them reach the proxy. */
  readonly notebookSecurityGroup: ec2.ISecurityGroup;
  readonly network: CordonNetwork;
  readonly policy: PolicyStore;
  readonly logs: CordonLogs;
  readonly adminToken: secretsmanager.Secret;
  readonly fleet: CordonFleet;
  readonly notebook: CordonNotebook | undefined;

  constructor(scope: Construct, id: string, props: CordonEgressProps) {
    super(scope, id);
    const p = resolveProps(props);
    const doc = bundlePolicy(p.policyFile);
    this.network = createNetwork(this, p);
    this.vpc = this.network.vpc;
    this.notebookSecurityGroup = this.network.notebookSecurityGroup;
    this.policy = createPolicyStore(this, p, doc);
    this.policySource = this.policy.source;
    this.logs = createLogs(this, p);
    this.adminToken = new secretsmanager.Secret(this, 'AdminToken', {
      description: 'Cordon admin API/UI bearer token (CORDON_ADMIN_TOKEN on the proxies)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    this.fleet = createFleet(this, {
      props: p,
      network: this.network,
      policy: this.policy,
      logs: this.logs,
      adminToken: this.adminToken,
    });
    const host = this.fleet.loadBalancer.loadBalancerDnsName;
    this.proxyUrl = `http://${host}:${PROXY_PORT}`;
    this.notebook = p.notebook === false ? undefined : createNotebook(this, p, this.network, host);
    wireAlarms([...this.logs.alarms, this.fleet.healthAlarm], p);
    suppressFindings(this, p, { fleet: this.fleet, adminToken: this.adminToken, notebook: this.notebook });
  }
}
