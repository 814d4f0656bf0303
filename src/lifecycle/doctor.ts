/**
 * @module lifecycle/doctor
 * `cordon doctor`: checks, on a notebook instance, that every client the lifecycle script configures
 * will use the proxy, and (when asked) that the proxy answers and that direct egress is closed. Each
 * check says what it found and how to fix it. File reads go through `root` so tests can point it at a
 * tree; network probes are injected or given explicitly. Never changes anything.
 */
import { CA_PATH } from './script.js';
import {
  condaProxyServers,
  findKernelSpecs,
  iniValue,
  kernelEnv,
  readAll,
  readUnder,
  type FoundFile,
} from './doctor-files.js';
import { probeDirect, type ProbeResult } from './probe.js';

/** One finding: what was checked, whether it is fine, what was seen, and the fix when it is not. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  /** The environment to judge (a shell's, or a kernel's `os.environ`). */
  env: NodeJS.ProcessEnv;
  /** The notebook user's home as the instance sees it, e.g. /home/ec2-user. */
  home: string;
  /** Read every file under this directory instead of `/` (tests). */
  root?: string;
  /** Ask the proxy named by the environment whether it is Cordon (`probeProxy`); skipped if absent. */
  probe?: (proxyUrl: string) => Promise<ProbeResult>;
  /** `host:port` addresses that must NOT be reachable directly; skipped if absent or empty. */
  directProbe?: readonly string[];
  directTimeoutMs?: number;
}

const RERUN =
  'run the lifecycle script (`cordon lifecycle --proxy http://HOST:3128 > on-start.sh`; sudo bash on-start.sh)';
const METADATA = '169.254.169.254';

function check(name: string, ok: boolean, detail: string, fix: string): DoctorCheck {
  return ok ? { name, ok, detail } : { name, ok, detail, fix };
}

function proxyVariables(env: NodeJS.ProcessEnv): DoctorCheck {
  const names = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'];
  const missing = names.filter((n) => !env[n]);
  const differ = ['HTTP_PROXY', 'HTTPS_PROXY'].filter((n) => env[n] && env[n.toLowerCase()] !== env[n]);
  const ok = missing.length === 0 && differ.length === 0;
  const detail = ok
    ? `HTTP_PROXY and HTTPS_PROXY (both cases) = ${env.HTTPS_PROXY ?? ''}`
    : [
        missing.length > 0 ? `not set: ${missing.join(', ')}` : '',
        differ.length > 0 ? `cases differ: ${differ.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
  return check('proxy variables', ok, detail, `${RERUN}, then open a new terminal or restart the kernel`);
}

function noProxy(env: NodeJS.ProcessEnv): DoctorCheck {
  const lists = ['NO_PROXY', 'no_proxy'].map(
    (n) => [n, (env[n] ?? '').split(',').map((s) => s.trim())] as const,
  );
  const bad = lists.filter(([, list]) => !list.includes(METADATA)).map(([n]) => n);
  return check(
    'NO_PROXY',
    bad.length === 0,
    bad.length === 0 ? `both cases include ${METADATA}` : `${bad.join(' and ')} lack ${METADATA}`,
    `add ${METADATA},localhost,127.0.0.1 to NO_PROXY and no_proxy, or the instance role's credentials are asked of the proxy (${RERUN})`,
  );
}

function firstWith(files: FoundFile[], get: (text: string) => string | undefined) {
  for (const f of files) {
    const value = get(f.text);
    if (value) return { path: f.path, value };
  }
  return undefined;
}

function pip(root: string, home: string, env: NodeJS.ProcessEnv): DoctorCheck {
  const paths = [
    '/etc/pip.conf',
    '/etc/xdg/pip/pip.conf',
    `${home}/.config/pip/pip.conf`,
    `${home}/.pip/pip.conf`,
  ];
  const hit = firstWith(readAll(root, paths), (t) => iniValue(t, 'global', 'proxy'));
  const detail = hit
    ? `proxy = ${hit.value} in ${hit.path}`
    : env.PIP_PROXY
      ? `PIP_PROXY = ${env.PIP_PROXY}`
      : '';
  return check('pip', detail !== '', detail || `no [global] proxy in ${paths.join(', ')}`, RERUN);
}

function conda(root: string, home: string): DoctorCheck {
  const paths = [`${home}/.condarc`, '/etc/conda/.condarc', '/etc/conda/condarc', '/opt/conda/.condarc'];
  const problems: string[] = [];
  for (const f of readAll(root, paths)) {
    const servers = condaProxyServers(f.text);
    if (typeof servers === 'string') problems.push(`${f.path} ${servers}`);
    else if (servers.http && servers.https) {
      return check('conda', true, `proxy_servers http and https = ${servers.https} in ${f.path}`, '');
    }
  }
  const detail = [`no proxy_servers with http and https in ${paths.join(', ')}`, ...problems].join('; ');
  return check('conda', false, detail, RERUN);
}

function git(root: string, home: string): DoctorCheck {
  const paths = ['/etc/gitconfig', `${home}/.gitconfig`, `${home}/.config/git/config`];
  const hit = firstWith(readAll(root, paths), (t) => iniValue(t, 'http', 'proxy'));
  return check(
    'git',
    hit !== undefined,
    hit ? `http.proxy = ${hit.value} in ${hit.path}` : `no http.proxy in ${paths.join(', ')}`,
    `${RERUN}, or: sudo git config --system http.proxy http://HOST:3128`,
  );
}

function npmNode(root: string, home: string, env: NodeJS.ProcessEnv): DoctorCheck {
  const paths = [`${home}/.npmrc`, '/etc/npmrc'];
  const hit = firstWith(
    readAll(root, paths),
    (t) => iniValue(t, '', 'https-proxy') ?? iniValue(t, '', 'proxy'),
  );
  const found = [
    env.NODE_USE_ENV_PROXY === '1' ? 'NODE_USE_ENV_PROXY=1 (Node 24+ uses the proxy variables)' : '',
    hit ? `npm proxy ${hit.value} in ${hit.path}` : '',
  ].filter(Boolean);
  return check(
    'npm and Node',
    found.length > 0,
    found.join('; ') || `NODE_USE_ENV_PROXY is not 1 and no proxy in ${paths.join(', ')}`,
    RERUN,
  );
}

function boto(root: string, env: NodeJS.ProcessEnv): DoctorCheck {
  const proxy = env.HTTPS_PROXY ?? env.https_proxy;
  const caConfigured = readUnder(root, CA_PATH) !== undefined || Boolean(env.REQUESTS_CA_BUNDLE);
  const bundle = env.AWS_CA_BUNDLE;
  const problems = [
    proxy ? '' : 'HTTPS_PROXY is not set',
    caConfigured && !bundle ? `a CA is configured (${CA_PATH}) but AWS_CA_BUNDLE is not set` : '',
    bundle && readUnder(root, bundle) === undefined ? `AWS_CA_BUNDLE ${bundle} does not exist` : '',
  ].filter(Boolean);
  const detail =
    problems.join('; ') ||
    `boto uses HTTPS_PROXY ${proxy ?? ''}${bundle ? ` and AWS_CA_BUNDLE ${bundle}` : ''}`;
  return check('boto', problems.length === 0, detail, RERUN);
}

function kernels(root: string, home: string): DoctorCheck {
  const specs = findKernelSpecs(root, home);
  const bad: string[] = [];
  for (const spec of specs) {
    const env = kernelEnv(spec.text);
    if (typeof env === 'string') bad.push(`${spec.path} ${env}`);
    else if (!env.HTTPS_PROXY || !env.https_proxy) bad.push(`${spec.path} has no HTTPS_PROXY in env`);
  }
  const ok = specs.length > 0 && bad.length === 0;
  const detail =
    specs.length === 0
      ? 'no kernel.json found (jupyter kernelspec list shows where they are)'
      : bad.join('; ');
  return check(
    'Jupyter kernels',
    ok,
    ok ? `${specs.length} kernelspecs set the proxy in env` : detail,
    RERUN,
  );
}

function ipythonStartup(root: string, home: string): DoctorCheck {
  const path = `${home}/.ipython/profile_default/startup/00-cordon-proxy.py`;
  const text = readUnder(root, path);
  const ok = text !== undefined && text.includes("'HTTPS_PROXY'");
  return check(
    'IPython startup',
    ok,
    ok ? `${path} sets the proxy` : `${path} is missing or sets no proxy`,
    RERUN,
  );
}

async function proxyAnswers(env: NodeJS.ProcessEnv, probe: NonNullable<DoctorOptions['probe']>) {
  const url = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  const fix = 'check the proxy URL, that the proxy is running, and that the security groups let 3128 through';
  if (!url) return check('proxy answers', false, 'no proxy variable to probe', RERUN);
  const result = await probe(url);
  return check('proxy answers', result.ok, result.detail, fix);
}

async function directEgress(targets: readonly string[], timeoutMs: number | undefined): Promise<DoctorCheck> {
  const outcomes = await Promise.all(targets.map(async (t) => [t, await probeDirect(t, timeoutMs)] as const));
  const open = outcomes.filter(([, o]) => o === 'connected').map(([t]) => t);
  return check(
    'direct egress closed',
    open.length === 0,
    outcomes.map(([t, o]) => `${t} ${o}`).join('; '),
    'the notebook can bypass the proxy: remove routes to an internet or NAT gateway from its subnet and allow its security group egress only to the proxy on 3128',
  );
}

/** Run every check; resolves to them in a fixed order (probes last). */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorCheck[]> {
  const root = opts.root ?? '';
  const { env, home } = opts;
  const checks = [
    proxyVariables(env),
    noProxy(env),
    pip(root, home, env),
    conda(root, home),
    git(root, home),
    npmNode(root, home, env),
    boto(root, env),
    kernels(root, home),
    ipythonStartup(root, home),
  ];
  if (opts.probe !== undefined) checks.push(await proxyAnswers(env, opts.probe));
  if (opts.directProbe !== undefined && opts.directProbe.length > 0) {
    checks.push(await directEgress(opts.directProbe, opts.directTimeoutMs));
  }
  return checks;
}

/** The checks as ✓/✗ lines with the fix under each failure, and a summary line. */
export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const lines = checks.flatMap((c) =>
    c.ok ? [`✓ ${c.name}: ${c.detail}`] : [`✗ ${c.name}: ${c.detail}`, `    fix: ${c.fix ?? RERUN}`],
  );
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(
    failed === 0 ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`,
  );
  return `${lines.join('\n')}\n`;
}
