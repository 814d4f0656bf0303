/**
 * @module lab/scenarios
 * The seed's checks as the lab runs them inside the notebook, through `.lab/notebook.sh` exactly as
 * a user would: a table of login-shell commands, the Python "kernel" program's checks, and the
 * records Cordon must have written for them. Each check says whether it needs the proxy settings
 * (and so must fail without the lifecycle script). No assertions here: the test holds those.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessRecord } from '../src/proxy/records.js';
import { run, type RunResult } from './exec.js';
import { HOME } from './notebook.js';
import { ADDR, HOSTS, PATHS, REPO, S3_BUCKET, S3_KEY } from './state.js';

export interface ShellCheck {
  name: string;
  /** Typed in the notebook's login shell. */
  command: string;
  pass: (r: RunResult) => boolean;
  /** Works only through the proxy: must fail without the lifecycle script. */
  needsProxy: boolean;
}

const ok = (r: RunResult, text: string | RegExp): boolean =>
  r.code === 0 && (typeof text === 'string' ? r.stdout.includes(text) : text.test(r.stdout));
const all = (r: RunResult, ...res: RegExp[]): boolean => res.every((re) => re.test(r.stdout + r.stderr));

const PIP = `python3 -m pip install --disable-pip-version-check --no-cache-dir --root-user-action=ignore --retries 0 --timeout 20 --no-deps`;

/** The login-shell scenario: the seed's checks 1–5 plus two bypass attempts. */
export const SHELL_CHECKS: ShellCheck[] = [
  {
    name: 'curl to an allowlisted HTTPS domain works',
    command: `curl -sS --max-time 20 https://${HOSTS.files.name}/hello.txt`,
    pass: (r) => ok(r, `hello from ${HOSTS.files.name}`),
    needsProxy: true,
  },
  {
    name: 'curl to an allowlisted HTTP domain works',
    command: `curl -sS --max-time 20 http://${HOSTS.plain.name}/`,
    pass: (r) => ok(r, `hello from ${HOSTS.plain.name}`),
    needsProxy: true,
  },
  {
    name: "a non-allowlisted domain gets Cordon's 403 with its explanation",
    command: `curl -sS -i --max-time 20 http://${HOSTS.blocked.name}/`,
    pass: (r) => ok(r, /^HTTP\/1\.1 403[^]*X-Cordon-Reason: not_allowlisted[^]*Cordon denied this request/m),
    needsProxy: true,
  },
  {
    name: 'a non-allowlisted HTTPS domain is refused at CONNECT with the reason',
    command: `curl -sS -v --max-time 20 https://${HOSTS.blocked.name}/`,
    pass: (r) =>
      r.code === 56 && all(r, /< X-Cordon-Reason: not_allowlisted/, /CONNECT tunnel failed, response 403/),
    needsProxy: true,
  },
  {
    name: 'pip install of the lab package from the lab index works',
    command: `rm -rf ~/site && ${PIP} --target ~/site --index-url https://${HOSTS.pkgs.name}/simple/ labpkg && PYTHONPATH=~/site python3 -c 'import labpkg; print(labpkg.hello())'`,
    pass: (r) => ok(r, 'labpkg 0.1.0 installed through the Cordon proxy'),
    needsProxy: true,
  },
  {
    name: 'pandas reads the CSV from the S3 stand-in through boto3',
    command: `python3 ${join(REPO, 'lab', 'py', 'read_csv.py')}`,
    pass: (r) => ok(r, 'rows=6'),
    needsProxy: true,
  },
  {
    name: 'aws s3 cp copies the CSV from the S3 stand-in',
    command: `aws s3 cp s3://${S3_BUCKET}/${S3_KEY} - --endpoint-url https://${HOSTS.s3.name} --region us-east-1 --cli-connect-timeout 10`,
    pass: (r) => ok(r, 'sepal_length,sepal_width'),
    needsProxy: true,
  },
  {
    name: "curl --noproxy '*' to an internet name or address fails: no route",
    command: `curl -sSv --noproxy '*' --max-time 10 https://${HOSTS.files.name}/; curl -sSv --noproxy '*' --max-time 10 http://${HOSTS.plain.addr}/`,
    pass: (r) => (r.stderr.match(/Network is unreachable/g) ?? []).length === 2 && r.code === 7,
    needsProxy: false,
  },
  {
    name: 'the metadata stand-in answers directly (NO_PROXY)',
    command: `curl -sS --max-time 10 http://${ADDR.metadata}/latest/meta-data/instance-id`,
    pass: (r) => ok(r, /^i-/),
    needsProxy: false,
  },
  {
    name: 'the metadata service through the proxy is refused',
    // --noproxy '' makes curl use -x even though NO_PROXY names the address.
    command: `curl -sS -i --max-time 10 --noproxy '' -x "$HTTP_PROXY" http://${ADDR.metadata}/latest/meta-data/`,
    pass: (r) => ok(r, /^HTTP\/1\.1 403[^]*X-Cordon-Reason: ip_literal_not_allowed/m),
    needsProxy: true,
  },
  {
    name: 'an allowlisted name that resolves to the metadata address is refused',
    command: `curl -sS -v --max-time 10 https://${HOSTS.rebind.name}/`,
    pass: (r) => r.code === 56 && all(r, /< X-Cordon-Reason: blocked_address/),
    needsProxy: true,
  },
  {
    name: 'cordon doctor finds every client pointed at the proxy and direct egress closed',
    // The doctor reads the instance's files under --root, with paths as the instance sees them.
    command: `HOME=${HOME} node ${PATHS.cordonCli} doctor --root "$LAB_ROOT" --direct ${HOSTS.files.addr}:443`,
    pass: (r) => r.code === 0 && /all \d+ checks passed/.test(r.stdout),
    needsProxy: true,
  },
  {
    name: 'domain fronting (CONNECT to an allowed host, SNI of another) is cut off',
    command: `curl -sS -v --max-time 10 --connect-to ${HOSTS.blocked.name}:443:${HOSTS.files.name}:443 https://${HOSTS.blocked.name}/`,
    pass: (r) => r.code === 35 && all(r, /CONNECT tunnel established, response 200/),
    needsProxy: true,
  },
];

/** Run `command` in a login shell inside the notebook; `root` picks the instance tree. */
export function inLoginShell(command: string, root: string = PATHS.root): Promise<RunResult> {
  return run(PATHS.notebookSh, ['login', command], { env: { ...process.env, LAB_ROOT: root } });
}

export interface KernelCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** The kernel program's checks that work without the proxy (the rest must fail without it). */
export const KERNEL_DIRECT = new Set(['no_route', 'metadata_direct']);

/** Run lab/py/kernel_checks.py as Jupyter would start a kernel from `root`'s kernel.json. */
export async function inKernel(root: string = PATHS.root): Promise<KernelCheck[]> {
  const program = join(REPO, 'lab', 'py', 'kernel_checks.py');
  const r = await run(PATHS.notebookSh, ['kernel', program], { env: { ...process.env, LAB_ROOT: root } });
  try {
    return (JSON.parse(r.stdout) as { checks: KernelCheck[] }).checks;
  } catch {
    throw new Error(`kernel_checks.py printed no result (exit ${r.code}):\n${r.stderr}`);
  }
}

/** A record Cordon must have written, and the squid access-log line it must match. */
export interface ExpectedRecord {
  what: string;
  match: Pick<AccessRecord, 'method' | 'host' | 'decision' | 'reason'>;
  squid: RegExp;
}

const rec = (
  what: string,
  method: string,
  host: string,
  decision: 'allow' | 'deny',
  reason: string,
  squid: RegExp,
) => ({ what, match: { method, host, decision, reason }, squid }) as ExpectedRecord;

const client = ADDR.notebook.replace(/\./g, '\\.');

/** Records both scenarios produce (check 6 of the seed). */
export const COMMON_RECORDS: ExpectedRecord[] = [
  rec(
    'HTTPS to an allowlisted domain',
    'CONNECT',
    HOSTS.files.name,
    'allow',
    'allowed',
    new RegExp(` ${client} TCP_TUNNEL/200 \\d+ CONNECT files\\.lab\\.test:443 `),
  ),
  rec(
    'HTTP to an allowlisted domain',
    'GET',
    HOSTS.plain.name,
    'allow',
    'allowed',
    new RegExp(` ${client} TCP_MISS/200 \\d+ GET http://plain\\.lab\\.test/ `),
  ),
  rec(
    'HTTP to a domain not allowlisted',
    'GET',
    HOSTS.blocked.name,
    'deny',
    'not_allowlisted',
    new RegExp(` ${client} TCP_DENIED/403 \\d+ GET http://blocked\\.lab\\.test/ `),
  ),
  rec(
    'HTTPS to a domain not allowlisted',
    'CONNECT',
    HOSTS.blocked.name,
    'deny',
    'not_allowlisted',
    new RegExp(` ${client} TCP_DENIED/403 \\d+ CONNECT blocked\\.lab\\.test:443 `),
  ),
  rec(
    'pip to the package index',
    'CONNECT',
    HOSTS.pkgs.name,
    'allow',
    'allowed',
    new RegExp(` ${client} TCP_TUNNEL/200 \\d+ CONNECT pkgs\\.lab\\.test:443 `),
  ),
  rec(
    'boto3 and the AWS CLI to the object store',
    'CONNECT',
    HOSTS.s3.name,
    'allow',
    'allowed',
    new RegExp(` ${client} TCP_TUNNEL/200 \\d+ CONNECT s3\\.lab\\.test:443 `),
  ),
  rec(
    'the metadata service through the proxy',
    'GET',
    ADDR.metadata,
    'deny',
    'ip_literal_not_allowed',
    new RegExp(` ${client} TCP_DENIED/403 \\d+ GET http://169\\.254\\.169\\.254/latest/meta-data/ `),
  ),
];

/** Records only the login-shell scenario produces (its two extra bypass attempts). */
export const SHELL_RECORDS: ExpectedRecord[] = [
  rec(
    'an allowlisted name resolving to the metadata address',
    'CONNECT',
    HOSTS.rebind.name,
    'deny',
    'blocked_address',
    new RegExp(` ${client} TCP_DENIED/403 \\d+ CONNECT metadata\\.lab\\.test:443 `),
  ),
  rec(
    'domain fronting',
    'CONNECT',
    HOSTS.files.name,
    'deny',
    'sni_mismatch',
    new RegExp(` ${client} TCP_DENIED/200 0 CONNECT files\\.lab\\.test:443 `),
  ),
];

/** Lines of a log file from line `from` on (0 if the file does not exist yet). */
export function logLines(file: string, from = 0): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .slice(from);
  } catch {
    return [];
  }
}

export function decisionRecords(from = 0): AccessRecord[] {
  return logLines(PATHS.decisions, from).map((l) => JSON.parse(l) as AccessRecord);
}
