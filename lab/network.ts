/**
 * @module lab/network
 * The lab's network: three namespaces joined by two veth pairs, made directly inside the
 * namespaces (no link ever exists in the host's namespace), and the teardown that removes every
 * `cordon-lab-*` namespace, its processes, its /etc/netns entry and any stray link.
 *
 *   notebook (10.213.1.10) ──eth0══eth-private── gateway ──eth-public══eth0── internet
 *   route to 10.213.1.1 only       10.213.1.1 / 198.51.100.1, no forwarding      198.51.100.10-14, .53
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { alive, run, runOk, waitFor } from './exec.js';
import { ADDR, HOSTS, LAB_DIR, PREFIX, REPO, type LabState } from './state.js';

const NETNS_ETC = '/etc/netns';

async function ip(...args: string[]): Promise<void> {
  await runOk('ip', args);
}

/** Create the namespaces, links, addresses and routes of `state`. */
export async function createNetwork(state: LabState): Promise<void> {
  const { notebook: nb, gateway: gw, internet: net } = state.namespaces;
  const alias = `${PREFIX}${state.id}`;
  for (const ns of [nb, gw, net]) {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  await ip('link', 'add', 'eth0', 'netns', nb, 'type', 'veth', 'peer', 'name', 'eth-private', 'netns', gw);
  await ip('link', 'add', 'eth-public', 'netns', gw, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net);
  for (const [ns, dev] of [
    [nb, 'eth0'],
    [gw, 'eth-private'],
    [gw, 'eth-public'],
    [net, 'eth0'],
  ] as const) {
    await ip('-n', ns, 'link', 'set', dev, 'alias', alias, 'up');
  }

  // The private subnet: one route, to the gateway's address, and nothing else (no default route).
  await ip('-n', nb, 'addr', 'add', `${ADDR.notebook}/24`, 'dev', 'eth0', 'noprefixroute');
  await ip('-n', nb, 'route', 'add', `${ADDR.gatewayPrivate}/32`, 'dev', 'eth0', 'src', ADDR.notebook);
  // The instance metadata service is local to the instance, as on EC2.
  await ip('-n', nb, 'addr', 'add', `${ADDR.metadata}/32`, 'dev', 'lo');

  await ip('-n', gw, 'addr', 'add', `${ADDR.gatewayPrivate}/24`, 'dev', 'eth-private');
  await ip('-n', gw, 'addr', 'add', `${ADDR.gatewayPublic}/24`, 'dev', 'eth-public');
  // The gateway is no router: only the proxy carries traffic from one side to the other.
  await runOk('ip', ['netns', 'exec', gw, 'sysctl', '-qw', 'net.ipv4.ip_forward=0']);

  const internetAddrs = [...Object.values(HOSTS).map((h) => h.addr), ADDR.dns].filter((a) =>
    a.startsWith('198.'),
  );
  for (const a of new Set(internetAddrs)) await ip('-n', net, 'addr', 'add', `${a}/24`, 'dev', 'eth0');
}

/** Every lab namespace on this machine: the state's and any other `cordon-lab-*` one. */
async function labNamespaces(state: LabState | undefined): Promise<string[]> {
  const listed = (await run('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(PREFIX));
  const known = state === undefined ? [] : Object.values(state.namespaces);
  return [...new Set([...known, ...listed])];
}

async function netnsPids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns]);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** SIGTERM, wait up to 5 s, then SIGKILL whatever is left. */
export async function stopProcesses(pids: number[]): Promise<void> {
  signal(pids, 'SIGTERM');
  try {
    await waitFor('lab processes to stop', () => pids.every((p) => !alive(p)), { timeoutMs: 5000 });
  } catch {
    signal(pids.filter(alive), 'SIGKILL');
    await waitFor('lab processes to be killed', () => pids.every((p) => !alive(p)), { timeoutMs: 5000 });
  }
}

/** The lab's servers are the processes whose command line names `.lab/` or a lab server entry point. */
function isLabProcess(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(LAB_DIR) || SERVER_ENTRIES.some((e) => cmdline.includes(e));
  } catch {
    return false;
  }
}

const SERVER_ENTRIES = ['internet.ts', 'metadata.ts'].map((f) => join(REPO, 'lab', f));

/** Root-namespace links that carry a lab alias (only left behind if a link was moved out by hand). */
async function strayLinks(): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show']);
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(`alias ${PREFIX}`))
    .map((l) => (l.split(': ')[1] ?? '').split('@')[0] ?? '')
    .filter((n) => n !== '');
}

/**
 * Remove everything any lab made: processes in every `cordon-lab-*` namespace (and recorded pids
 * still running lab code), the namespaces (which takes their veth links with them), their
 * /etc/netns folders and stray links. Returns what it removed, for the report.
 */
export async function sweep(state: LabState | undefined): Promise<string[]> {
  const removed: string[] = [];
  const namespaces = await labNamespaces(state);
  const pids = new Set<number>();
  for (const ns of namespaces) for (const p of await netnsPids(ns)) pids.add(p);
  for (const p of Object.values(state?.pids ?? {})) if (alive(p) && isLabProcess(p)) pids.add(p);
  if (pids.size > 0) {
    await stopProcesses([...pids]);
    removed.push(`${pids.size} process(es)`);
  }
  for (const ns of namespaces) {
    const r = await run('ip', ['netns', 'del', ns]);
    if (r.code === 0) removed.push(`namespace ${ns}`);
  }
  const etc = existsSync(NETNS_ETC) ? readdirSync(NETNS_ETC).filter((n) => n.startsWith(PREFIX)) : [];
  for (const n of etc) {
    rmSync(join(NETNS_ETC, n), { recursive: true, force: true });
    removed.push(`${NETNS_ETC}/${n}`);
  }
  if (state?.createdEtcNetns === true && existsSync(NETNS_ETC) && readdirSync(NETNS_ETC).length === 0) {
    rmdirSync(NETNS_ETC);
    removed.push(NETNS_ETC);
  }
  for (const link of await strayLinks()) {
    await run('ip', ['link', 'del', link]);
    removed.push(`link ${link}`);
  }
  return removed;
}

/** What any lab left on this machine; all empty after `labDown()` (the test asserts it). */
export async function leftovers(): Promise<{
  namespaces: string[];
  processes: number[];
  links: string[];
  etc: string[];
}> {
  const processes = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => alive(pid) && isLabProcess(pid));
  return {
    namespaces: await labNamespaces(undefined),
    processes,
    links: await strayLinks(),
    etc: existsSync(NETNS_ETC) ? readdirSync(NETNS_ETC).filter((n) => n.startsWith(PREFIX)) : [],
  };
}
