/**
 * @module lab/services
 * The lab's long-lived processes other than Cordon: the internet's DNS server and origins, the
 * "VPC resolver" the notebook asks for names, and the metadata stand-in. Each is started detached in
 * its namespace, logged to `.lab/logs/NAME.out`, recorded in the state file, and waited for until it
 * listens.
 */
import { join } from 'node:path';
import { spawnInNetns, waitListening } from './exec.js';
import { ADDR, HOSTS, PATHS, REPO, writeState, type LabState } from './state.js';

/** Environment for lab processes: the caller's, without proxy variables. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(https?|no|all)_proxy$/i.test(k)) delete env[k];
  return env;
}

interface Service {
  role: string;
  ns: string;
  argv: string[];
  listen: { proto: 'tcp' | 'udp'; addr: string; port: number }[];
}

async function start(state: LabState, svc: Service): Promise<void> {
  const log = join(PATHS.logs, `${svc.role}.out`);
  const pid = spawnInNetns(svc.ns, svc.argv, log, { env: cleanEnv(), cwd: REPO });
  state.pids[svc.role] = pid;
  writeState(state);
  for (const l of svc.listen) await waitListening(svc.ns, l.proto, l.addr, l.port, pid, log);
}

function dnsmasq(role: string, listen: string, extra: string[]): string[] {
  return [
    'dnsmasq',
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--bind-interfaces',
    `--listen-address=${listen}`,
    `--pid-file=${join(PATHS.run, `${role}.pid`)}`,
    '--log-queries',
    '--log-facility=-',
    ...extra,
  ];
}

/** The internet's DNS: authoritative for lab.test, nothing else (no upstream, no /etc/hosts). */
function internetDns(state: LabState): Service {
  const records = Object.values(HOSTS)
    .filter((h) => h.name !== HOSTS.s3.name)
    .map((h) => `--host-record=${h.name},${h.addr}`);
  const argv = dnsmasq('dns-internet', ADDR.dns, [
    '--local=/lab.test/',
    // The S3 endpoint and every bucket under it (virtual-hosted style).
    `--address=/${HOSTS.s3.name}/${HOSTS.s3.addr}`,
    ...records,
  ]);
  return {
    role: 'dns-internet',
    ns: state.namespaces.internet,
    argv,
    listen: [{ proto: 'udp', addr: ADDR.dns, port: 53 }],
  };
}

/**
 * The notebook's resolver, like a VPC's: it answers names (forwarding to the internet's DNS), so a
 * direct connection fails for want of a route, not for want of an address.
 */
function vpcResolver(state: LabState): Service {
  const argv = dnsmasq('dns-vpc', ADDR.gatewayPrivate, [`--server=${ADDR.dns}`]);
  return {
    role: 'dns-vpc',
    ns: state.namespaces.gateway,
    argv,
    listen: [{ proto: 'udp', addr: ADDR.gatewayPrivate, port: 53 }],
  };
}

function nodeEntry(file: string): string[] {
  return [process.execPath, '--import', 'tsx', join(REPO, 'lab', file)];
}

/** Start DNS, origins and the metadata stand-in; resolves when all of them listen. */
export async function startServices(state: LabState): Promise<void> {
  const ns = state.namespaces;
  const services: Service[] = [
    internetDns(state),
    vpcResolver(state),
    {
      role: 'internet',
      ns: ns.internet,
      argv: nodeEntry('internet.ts'),
      listen: [
        { proto: 'tcp', addr: '0.0.0.0', port: 443 },
        { proto: 'tcp', addr: '0.0.0.0', port: 80 },
      ],
    },
    {
      role: 'metadata',
      ns: ns.notebook,
      argv: nodeEntry('metadata.ts'),
      listen: [{ proto: 'tcp', addr: ADDR.metadata, port: 80 }],
    },
  ];
  for (const svc of services) await start(state, svc);
}
