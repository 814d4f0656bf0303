/**
 * @module infra/cordon-stack
 * `CordonStack`: one `CordonEgress` and the outputs people need after `cdk deploy` (proxy URL,
 * policy source, admin token secret, notebook name, fleet name, Elastic IPs).
 */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CordonEgress, type CordonEgressProps } from './cordon-egress.js';

export interface CordonStackProps extends StackProps {
  readonly cordon: CordonEgressProps;
}

export class CordonStack extends Stack {
  readonly cordon: CordonEgress;

  constructor(scope: Construct, id: string, props: CordonStackProps) {
    super(scope, id, props);
    const cordon = new CordonEgress(this, 'Cordon', props.cordon);
    this.cordon = cordon;
    new CfnOutput(this, 'ProxyUrl', {
      value: cordon.proxyUrl,
      description: 'HTTP(S)_PROXY for clients in the VPC',
    });
    new CfnOutput(this, 'PolicySource', {
      value: cordon.policySource,
      description: 'Where the proxies read the policy',
    });
    new CfnOutput(this, 'AdminTokenSecretArn', {
      value: cordon.adminToken.secretArn,
      description: 'aws secretsmanager get-secret-value --secret-id <this> for the admin UI token',
    });
    new CfnOutput(this, 'ProxyFleetName', { value: cordon.fleet.asg.autoScalingGroupName });
    if (cordon.notebook !== undefined) {
      new CfnOutput(this, 'NotebookName', { value: cordon.notebook.instance.attrNotebookInstanceName });
    }
    if (cordon.fleet.elasticIps.length > 0) {
      new CfnOutput(this, 'ElasticIps', {
        value: Fn.join(
          ',',
          cordon.fleet.elasticIps.map((e) => e.attrPublicIp),
        ),
        description: 'Public addresses the proxies use: give these to upstreams that allowlist by IP',
      });
    }
  }
}
