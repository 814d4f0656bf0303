/**
 * @module lab/packages
 * Makes sure the Debian packages the lab runs are installed, with apt-get, only when something is
 * missing. Debian's Python (/usr/bin/python3) is used explicitly: a pyenv or conda `python3` earlier
 * on PATH does not see Debian's pandas and boto3.
 */
import { existsSync } from 'node:fs';
import { run, runOk } from './exec.js';

/** Debian's Python, which the notebook side uses. */
export const PYTHON = '/usr/bin/python3';

interface Need {
  pkg: string;
  present: () => boolean | Promise<boolean>;
}

const file = (path: string) => () => existsSync(path);
const pyModule = (mod: string) => async () =>
  existsSync(PYTHON) && (await run(PYTHON, ['-c', `import ${mod}`])).code === 0;

/**
 * What the lab needs. `dnsmasq-base` is the dnsmasq binary without Debian's system service (the lab
 * starts its own instances and must not leave a resolver running on the host). `awscli` is Debian's
 * packaged AWS CLI, for the `aws s3 cp` check.
 */
const NEEDS: Need[] = [
  { pkg: 'iproute2', present: file('/usr/bin/ss') },
  { pkg: 'dnsmasq-base', present: file('/usr/sbin/dnsmasq') },
  { pkg: 'curl', present: file('/usr/bin/curl') },
  { pkg: 'ca-certificates', present: file('/etc/ssl/certs/ca-certificates.crt') },
  { pkg: 'python3-pip', present: pyModule('pip') },
  { pkg: 'python3-pandas', present: pyModule('pandas') },
  { pkg: 'python3-boto3', present: pyModule('boto3') },
  { pkg: 'awscli', present: file('/usr/bin/aws') },
];

/** The packages that are missing, in install order. */
export async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  for (const n of NEEDS) if (!(await n.present())) missing.push(n.pkg);
  return missing;
}

/** Install what is missing (`apt-get update` once, then one `apt-get install`). */
export async function ensurePackages(log: (line: string) => void): Promise<void> {
  const missing = await missingPackages();
  if (missing.length === 0) return;
  log(`installing with apt-get: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt-get may hold the lock (e.g. a parallel setup step): wait for it instead of failing.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  await runOk('apt-get', [...lock, 'update', '-q'], { env, timeoutMs: 900_000 });
  await runOk('apt-get', [...lock, 'install', '-y', '-q', '--no-install-recommends', ...missing], {
    env,
    timeoutMs: 900_000,
  });
}
