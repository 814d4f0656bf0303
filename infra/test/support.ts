/**
 * @module infra/test/support
 * Shared by the infra tests: a tiny `npm pack`-shaped tarball, one synthesized stack per variant
 * (with cdk-nag's AwsSolutions checks applied), and helpers that turn a template's security-group
 * rules and lifecycle content into plain strings to compare.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CordonEgressProps } from '../lib/cordon-egress.js';
import { CordonStack } from '../lib/cordon-stack.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const POLICY_FILE = join(FIXTURES, 'cordon.yaml');

/** A package tarball like `npm pack` makes: package/package.json and package/bin/cordon.js. */
export function dummyTarball(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-pack-'));
  mkdirSync(join(dir, 'package/bin'), { recursive: true });
  writeFileSync(
    join(dir, 'package/package.json'),
    JSON.stringify({ name: 'cordon', version: '0.0.0-test', bin: { cordon: 'bin/cordon.js' } }),
  );
  writeFileSync(
    join(dir, 'package/bin/cordon.js'),
    '#!/usr/bin/env node\nconsole.log(process.argv.slice(2).join(" "));\n',
  );
  execFileSync('tar', ['czf', join(dir, 'cordon-0.0.0-test.tgz'), '-C', dir, 'package']);
  return join(dir, 'cordon-0.0.0-test.tgz');
}

export interface Synthesized {
  readonly stack: CordonStack;
  readonly template: Template;
  /** Every AwsSolutions error and warning left unsuppressed, as `path: message`. */
  readonly nagFindings: string[];
}

/** Synthesize one CordonStack with `props` (tarball and policy filled in) under cdk-nag. */
export function synth(props: Partial<CordonEgressProps>): Synthesized {
  // CloudFormation's schema validation adds ~15 s a synth; `npm run synth` (the app) still runs it.
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new CordonStack(app, 'CordonStack', {
    cordon: { packageTarball: dummyTarball(), policyFile: POLICY_FILE, ...props },
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  const template = Template.fromStack(stack);
  const annotations = Annotations.fromStack(stack);
  const nag = Match.stringLikeRegexp('AwsSolutions-.*');
  const nagFindings = [...annotations.findError('*', nag), ...annotations.findWarning('*', nag)].map(
    (m) => `${m.id}: ${String(m.entry.data).split('\n')[0] ?? ''}`,
  );
  return { stack, template, nagFindings };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export function resources(template: Template): Resources {
  return (template.toJSON() as { Resources: Resources }).Resources;
}

/** The short name of a security group's logical ID (`CordonProxySecurityGroup0CF4481E` → `Proxy`). */
function groupName(ref: unknown): string {
  const id = JSON.stringify(ref);
  const m = /Cordon(\w+?)SecurityGroup[0-9A-F]{8}/.exec(id);
  return m?.[1] ?? id;
}

function peer(
  rule: Record<string, unknown>,
  key: 'SourceSecurityGroupId' | 'DestinationSecurityGroupId',
): string {
  if (rule[key] !== undefined) return `sg:${groupName(rule[key])}`;
  if (rule.DestinationPrefixListId !== undefined) return `pl:${String(rule.DestinationPrefixListId)}`;
  return typeof rule.CidrIp === 'string' ? rule.CidrIp : `cidr:${JSON.stringify(rule.CidrIp)}`;
}

function ruleText(direction: 'in' | 'out', group: string, rule: Record<string, unknown>): string {
  const ports =
    rule.FromPort === rule.ToPort ? String(rule.FromPort) : `${String(rule.FromPort)}-${String(rule.ToPort)}`;
  const other = peer(rule, direction === 'in' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId');
  return `${group} ${direction} ${String(rule.IpProtocol)} ${ports} ${direction === 'in' ? 'from' : 'to'} ${other}`;
}

/** Every security-group rule of the template, inline or separate, as sorted one-line strings. */
export function securityGroupRules(template: Template): string[] {
  const out: string[] = [];
  for (const [id, r] of Object.entries(resources(template))) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::EC2::SecurityGroup') {
      for (const rule of (p.SecurityGroupIngress ?? []) as Record<string, unknown>[])
        out.push(ruleText('in', groupName(id), rule));
      for (const rule of (p.SecurityGroupEgress ?? []) as Record<string, unknown>[])
        out.push(ruleText('out', groupName(id), rule));
    } else if (r.Type === 'AWS::EC2::SecurityGroupIngress') {
      out.push(ruleText('in', groupName(p.GroupId), p));
    } else if (r.Type === 'AWS::EC2::SecurityGroupEgress') {
      out.push(ruleText('out', groupName(p.GroupId), p));
    }
  }
  return out.sort();
}

/** The lifecycle on-start script with each CloudFormation value shown as `<Ref>` / `<Resource.Attr>`. */
export function onStartScript(template: Template): string {
  const configs = Object.values(resources(template)).filter(
    (r) => r.Type === 'AWS::SageMaker::NotebookInstanceLifecycleConfig',
  );
  const content = (configs[0]?.Properties?.OnStart as { Content: unknown }[] | undefined)?.[0]?.Content as {
    'Fn::Base64': { 'Fn::Join': [string, unknown[]] };
  };
  return content['Fn::Base64']['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const p = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return p.Ref !== undefined ? `<${p.Ref}>` : `<${(p['Fn::GetAtt'] ?? []).join('.')}>`;
    })
    .join('');
}
