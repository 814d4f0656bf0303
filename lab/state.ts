/**
 * @module lab/state
 * The lab's fixed plan (addresses, host names, namespace names, paths under `.lab/`) and its state
 * file, `.lab/state.json`, written before anything is created so that `lab down` can remove it all
 * even after a crash. Must not create namespaces or processes itself.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository the lab belongs to (the folder above `lab/`). */
export const REPO = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
/** Everything the lab generates lives here (git-ignored). */
export const LAB_DIR = join(REPO, '.lab');
/** Every namespace and /etc/netns entry the lab makes starts with this; `lab down` sweeps them all. */
export const PREFIX = 'cordon-lab-';

/**
 * Addresses. The private side is a made-up 10.213.1.0/24; the "internet" is TEST-NET-2
 * (198.51.100.0/24, RFC 5737), which is never routed on the real internet. Both exist only inside
 * the lab's namespaces.
 */
export const ADDR = {
  notebook: '10.213.1.10',
  gatewayPrivate: '10.213.1.1',
  gatewayPublic: '198.51.100.1',
  dns: '198.51.100.53',
  metadata: '169.254.169.254',
} as const;

export const PROXY_PORT = 3128;
export const PROXY_URL = `http://${ADDR.gatewayPrivate}:${PROXY_PORT}`;

/** The lab's "internet": each host under the reserved `.test` TLD, on its own address. */
export const HOSTS = {
  files: { name: 'files.lab.test', addr: '198.51.100.10' },
  plain: { name: 'plain.lab.test', addr: '198.51.100.11' },
  pkgs: { name: 'pkgs.lab.test', addr: '198.51.100.12' },
  s3: { name: 's3.lab.test', addr: '198.51.100.13' },
  blocked: { name: 'blocked.lab.test', addr: '198.51.100.14' },
  /** An allowlisted name whose DNS record points at the metadata service: Cordon must refuse it. */
  rebind: { name: 'metadata.lab.test', addr: ADDR.metadata },
} as const;

/** The S3 stand-in's bucket and the CSV object in it. */
export const S3_BUCKET = 'lab-data';
export const S3_KEY = 'iris.csv';

/** Paths of generated files. */
export const PATHS = {
  state: join(LAB_DIR, 'state.json'),
  logs: join(LAB_DIR, 'logs'),
  run: join(LAB_DIR, 'run'),
  caCert: join(LAB_DIR, 'ca', 'lab-ca.pem'),
  certs: join(LAB_DIR, 'ca', 'hosts'),
  www: join(LAB_DIR, 'www'),
  s3: join(LAB_DIR, 's3'),
  gateway: join(LAB_DIR, 'gateway'),
  cordonYaml: join(LAB_DIR, 'gateway', 'cordon.yaml'),
  /** install-cordon.sh's PREFIX: Cordon installed from the packed tarball. */
  install: join(LAB_DIR, 'gateway', 'install'),
  /** The `cordon` command of that installation. */
  cordonCli: join(
    LAB_DIR,
    'gateway',
    'install',
    'opt',
    'cordon',
    'node_modules',
    'cordon',
    'bin',
    'cordon.js',
  ),
  /** The config the installed Cordon runs with (the script's copy of cordonYaml). */
  installedYaml: join(LAB_DIR, 'gateway', 'install', 'etc', 'cordon', 'cordon.yaml'),
  accessLog: join(LAB_DIR, 'logs', 'access.log'),
  decisions: join(LAB_DIR, 'logs', 'decisions.jsonl'),
  originLog: join(LAB_DIR, 'logs', 'internet.out'),
  notebook: join(LAB_DIR, 'notebook'),
  /** The notebook's ROOT tree with the lifecycle script applied. */
  root: join(LAB_DIR, 'notebook', 'root'),
  /** The same tree without the script: the control that must fail. */
  bareRoot: join(LAB_DIR, 'notebook', 'bare'),
  lifecycleScript: join(LAB_DIR, 'notebook', 'on-start.sh'),
  /** Trust store of the notebook: Debian's roots plus the lab CA (the lab's public PKI). */
  trust: join(LAB_DIR, 'notebook', 'ca-certificates.crt'),
  /** `sudo .lab/notebook.sh shell` opens a login shell inside the notebook. */
  notebookSh: join(LAB_DIR, 'notebook.sh'),
} as const;

/** What `lab up` made, for `lab down`. */
export interface LabState {
  id: string;
  createdAt: string;
  namespaces: { notebook: string; gateway: string; internet: string };
  /** Process ids the lab started, by role (also found through `ip netns pids`). */
  pids: Record<string, number>;
  /** The lab made /etc/netns (for the notebook's resolv.conf), so `down` removes it when empty. */
  createdEtcNetns?: boolean;
}

export function newState(): LabState {
  const id = randomBytes(2).toString('hex');
  return {
    id,
    createdAt: new Date().toISOString(),
    namespaces: {
      notebook: `${PREFIX}${id}-nb`,
      gateway: `${PREFIX}${id}-gw`,
      internet: `${PREFIX}${id}-net`,
    },
    pids: {},
  };
}

export function readState(): LabState | undefined {
  if (!existsSync(PATHS.state)) return undefined;
  try {
    return JSON.parse(readFileSync(PATHS.state, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Write the state atomically (a crash mid-write leaves the old file). */
export function writeState(state: LabState): void {
  mkdirSync(LAB_DIR, { recursive: true });
  const tmp = `${PATHS.state}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, PATHS.state);
}
