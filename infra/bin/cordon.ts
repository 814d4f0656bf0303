/**
 * @module infra/bin/cordon
 * The CDK app: one `CordonStack` configured from context (`cdk deploy -c key=value` or cdk.json) and
 * environment, with cdk-nag's AwsSolutions checks on every resource. When no `packageTarball` is
 * given it runs `npm pack` of the repository into infra/cdk.out-pack/ once (rerun after changing
 * Cordon: delete that folder, or pass -c packageTarball=PATH).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CordonStack } from '../lib/cordon-stack.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

/** The `npm pack` tarball of the repository, made once into infra/cdk.out-pack/. */
function ensurePackTarball(): string {
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const outDir = resolve(here, '../cdk.out-pack');
  const tarball = join(outDir, `${name}-${version}.tgz`);
  if (!existsSync(tarball)) {
    mkdirSync(outDir, { recursive: true });
    console.error(`cordon: npm pack of ${repoRoot} into ${outDir} (builds dist/ first)`);
    execFileSync('npm', ['pack', '--pack-destination', outDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return tarball;
}

function context(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

const app = new App();
const store = context(app, 'policyStore');
new CordonStack(app, context(app, 'stackName') ?? 'CordonStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Cordon egress gateway for SageMaker notebooks (proxy fleet, NLB, policy, logs, notebook)',
  cordon: {
    packageTarball: context(app, 'packageTarball') ?? ensurePackTarball(),
    policyFile: context(app, 'policyFile') ?? join(repoRoot, 'examples/cordon.yaml'),
    policyStore: (store ?? 'ssm') as 'ssm' | 's3',
    elasticIps: context(app, 'elasticIps') === 'true',
    sageMakerEndpoints: context(app, 'sageMakerEndpoints') === 'true',
    s3Buckets: list(context(app, 's3Buckets')),
    s3PrefixListId: context(app, 's3PrefixListId'),
    instanceType: context(app, 'instanceType'),
    notebook:
      context(app, 'notebook') === 'false'
        ? false
        : { rootAccess: context(app, 'notebookRootAccess') === 'true' },
  },
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
