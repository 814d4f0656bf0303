/**
 * @module lab/gateway
 * The gateway namespace's Cordon: the lab's cordon.yaml and allowlist files (the seed's
 * allowhttp.txt / allowhttps.txt, in squid's format), and starting Cordon the way a user does.
 * Must not reach into Cordon's internals: it only writes config files and runs the `cordon` command.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_ERRORS, LabError } from './errors.js';
import { run, runOk, spawnInNetns, tail, waitListening } from './exec.js';
import { cleanEnv } from './services.js';
import { ADDR, HOSTS, PATHS, PROXY_PORT, REPO, writeState, type LabState } from './state.js';

const ALLOW_HTTP = `# Plain-HTTP destinations the notebook may reach (squid's allowhttp.txt format).
${HOSTS.plain.name}
`;

const ALLOW_HTTPS = `# HTTPS destinations the notebook may reach (squid's allowhttps.txt format).
${HOSTS.files.name}
${HOSTS.pkgs.name}
# The object store and every bucket under it (path-style and virtual-hosted-style requests).
.${HOSTS.s3.name}
# Allowlisted on purpose, but its DNS record points at the metadata service (169.254.169.254):
# Cordon checks every resolved address and refuses it (blocked_address).
${HOSTS.rebind.name}
`;

const INSTALL_SCRIPT = join(REPO, 'infra', 'scripts', 'install-cordon.sh');

/** The lab's cordon.yaml: what a user would write for this network, plus one lab-only line. */
export function cordonYaml(): string {
  return `# Cordon in the lab's gateway namespace (written by \`npm run lab\`; see docs/lab.md).
# install-cordon.sh copies it to ${PATHS.installedYaml}; the allowlist files stay
# next to this one (absolute paths below): edit them and Cordon picks the change up live.
listen: ${ADDR.gatewayPrivate}:${PROXY_PORT}
# The notebook subnet: the only clients.
clients: [10.213.1.0/24]
http:
  ports: [80]
  allowFiles: [${join(PATHS.gateway, 'allowhttp.txt')}]
https:
  ports: [443]
  allowFiles: [${join(PATHS.gateway, 'allowhttps.txt')}]
dns:
  # The lab internet's own DNS server, authoritative for lab.test.
  servers: ["${ADDR.dns}"]
  # Lab only: the lab's "internet" is TEST-NET-2 (RFC 5737), a documentation range that Cordon's
  # address guard refuses to dial like any other reserved range. Keep this list empty in production.
  allowPrivate: [198.51.100.0/24]
log:
  access: ${PATHS.accessLog}
  json: ${PATHS.decisions}
deny:
  message: "Lab: add the host to ${join(PATHS.gateway, 'allowhttps.txt')} (or allowhttp.txt); Cordon reloads it live."
storage:
  dir: ${join(PATHS.gateway, 'data')}
`;
}

export function writeGatewayConfig(): void {
  mkdirSync(PATHS.gateway, { recursive: true });
  writeFileSync(PATHS.cordonYaml, cordonYaml());
  writeFileSync(join(PATHS.gateway, 'allowhttp.txt'), ALLOW_HTTP);
  writeFileSync(join(PATHS.gateway, 'allowhttps.txt'), ALLOW_HTTPS);
}

/** Why dist/ must be rebuilt (a source changed after the last build, or no build), or undefined. */
function staleReason(): string | undefined {
  const main = join(REPO, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) return 'dist/ is missing';
  const built = statSync(main).mtimeMs;
  const src = join(REPO, 'src');
  const changed = readdirSync(src, { recursive: true, encoding: 'utf8' }).find(
    (f) => statSync(join(src, f)).mtimeMs > built,
  );
  return changed === undefined ? undefined : `src/${changed} changed since the last build`;
}

/** Build dist/ when it is out of date, so that the tarball holds the current source. */
export async function buildCordon(log: (line: string) => void): Promise<void> {
  const reason = staleReason();
  if (reason === undefined) return;
  log(`building Cordon: ${reason}`);
  await runOk(
    process.execPath,
    [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO,
    },
  );
}

/** `npm pack` the checkout, as a release is made (dist/ is built already). */
async function pack(): Promise<string> {
  const dir = join(PATHS.gateway, 'pack');
  mkdirSync(dir, { recursive: true });
  const r = await runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: REPO,
  });
  const [packed] = JSON.parse(r.stdout) as { filename: string }[];
  if (packed === undefined) throw new LabError(LAB_ERRORS.commandFailed, 'npm pack made no tarball');
  return join(dir, packed.filename);
}

/**
 * Give the install the checkout's production dependencies, hard-linked into its node_modules (as a
 * warm cache would), so that the script's offline `npm install` only has to add the tarball: the
 * gateway namespace has no registry, and building better-sqlite3 from source takes minutes.
 */
async function seedDependencies(opt: string): Promise<void> {
  // The lockfile says what `npm ci` installed: the top-level packages not marked dev-only.
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const top = Object.entries(lock.packages)
    .filter(([path, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && p.dev !== true)
    .map(([path]) => path)
    .filter((path) => existsSync(join(REPO, path)));
  mkdirSync(opt, { recursive: true });
  // With their bin links too, npm sees these packages as installed and leaves them as they are.
  await runOk('cp', ['-a', '--link', '--parents', ...top, 'node_modules/.bin', opt], { cwd: REPO });
}

/**
 * Install Cordon from the packed tarball with infra/scripts/install-cordon.sh (the script the AWS
 * deployment runs), in the gateway namespace, without systemd.
 */
export async function installCordon(state: LabState): Promise<void> {
  const tarball = await pack();
  await seedDependencies(join(PATHS.install, 'opt', 'cordon'));
  const install = [
    'bash',
    INSTALL_SCRIPT,
    '--tarball',
    tarball,
    '--config',
    PATHS.cordonYaml,
    '--no-systemd',
    '--no-user',
  ];
  // An empty cache of its own: the install must need nothing but the tarball and what is seeded.
  const npmFlags = `--offline --cache ${join(PATHS.gateway, 'npm-cache')}`;
  const env = { ...cleanEnv(), PREFIX: PATHS.install, NPM_FLAGS: npmFlags };
  const r = await run('ip', ['netns', 'exec', state.namespaces.gateway, ...install], {
    env,
    timeoutMs: 600_000,
  });
  const out = join(PATHS.logs, 'install-cordon.out');
  writeFileSync(out, r.stdout + r.stderr);
  if (r.code !== 0)
    throw new LabError(LAB_ERRORS.commandFailed, `install-cordon.sh exited ${r.code}:\n${tail(out)}`);
}

/** Start the installed Cordon the way the install script says to, and wait until it listens. */
export async function startCordon(state: LabState): Promise<void> {
  const log = join(PATHS.logs, 'cordon.out');
  const start = join(PATHS.install, 'opt', 'cordon', 'bin', 'cordon-start');
  const pid = spawnInNetns(state.namespaces.gateway, [start], log, { env: cleanEnv(), cwd: PATHS.gateway });
  state.pids.cordon = pid;
  writeState(state);
  await waitListening(state.namespaces.gateway, 'tcp', ADDR.gatewayPrivate, PROXY_PORT, pid, log);
}
