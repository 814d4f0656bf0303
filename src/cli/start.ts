/**
 * @module cli/start
 * `cordon start`: runs the gateway until SIGTERM/SIGINT (drain, flush logs, exit 0); SIGHUP reloads
 * the policy and reopens the log files (for logrotate). Also runs the audit store and the admin
 * listener (admin/service) beside the gateway, and prints a newly generated admin token once.
 * With `workers` > 1 (or `--workers`) this process is the cluster primary, running all of that,
 * and the proxy runs in worker processes (cluster/primary); a worker runs only cluster/worker.
 */
import cluster from 'node:cluster';
import { pino, type Logger } from 'pino';
import { createAdminService, type AdminService } from '../admin/service.js';
import { createClusterPlane, type ClusterPlane } from '../cluster/primary.js';
import { runWorker } from '../cluster/worker.js';
import { parseWorkers, workerCount, type WorkersSetting } from '../cluster/workers.js';
import { createGateway, type DataPlaneFactory, type Gateway } from '../gateway/gateway.js';
import { createProxyServer } from '../proxy/server.js';
import { fail, parse } from './args.js';

export async function runStart(args: string[]): Promise<number> {
  const logger = pino({ name: 'cordon', level: process.env.CORDON_LOG_LEVEL ?? 'info' }, pino.destination(2));
  // A cluster worker runs this same command line; it gets everything else from the primary.
  if (cluster.isWorker) return runWorker(logger.child({ worker: Number(process.env.CORDON_WORKER) }));
  let gateway: Gateway;
  let admin: AdminService;
  try {
    const { values } = parse(
      args,
      { config: { type: 'string', short: 'c' }, listen: { type: 'string' }, workers: { type: 'string' } },
      'start',
    );
    const workers = values.workers === undefined ? undefined : parseWorkers(values.workers);
    const plane: { cluster?: ClusterPlane } = {};
    const dataPlane = chooseDataPlane(workers, logger, plane);
    gateway = createGateway({ configPath: values.config, listen: values.listen, logger, dataPlane });
    const cl = plane.cluster;
    // Workers get each new policy only after the primary validated it: a bad one never leaves here.
    if (cl) gateway.onReload((loaded, version) => cl.policy(loaded, version));
    // Before the gateway starts, so the audit store sees every record.
    admin = createAdminService({ gateway, logger });
  } catch (e: unknown) {
    return fail(e);
  }
  const g = gateway;
  const a = admin;
  // Signal handlers go in before the listener opens, so no signal can meet Node's default action.
  let stopped: Promise<number> | undefined;
  const stop = (signal: string): Promise<number> => {
    stopped ??= (async () => {
      logger.info({ signal }, 'stopping: draining open connections');
      try {
        await g.stop();
        // After the drain: the store's final flush then holds every record.
        await a.close();
        logger.info({}, 'stopped');
        logger.flush();
        return 0;
      } catch (e: unknown) {
        logger.error({ err: e }, 'stop failed');
        return 1;
      }
    })();
    return stopped;
  };
  const done = new Promise<number>((resolve) => {
    process.once('SIGTERM', () => void stop('SIGTERM').then(resolve));
    process.once('SIGINT', () => void stop('SIGINT').then(resolve));
  });
  process.on('SIGHUP', () => g.reload('SIGHUP'));
  try {
    await g.start();
    const address = await a.listen();
    if (address !== null) printAdmin(a, address);
  } catch (e: unknown) {
    await g.stop().catch(() => undefined);
    await a.close().catch(() => undefined);
    return fail(e);
  }
  return done;
}

/** The proxy in this process for one worker; cluster workers for more (`--workers` over the config). */
function chooseDataPlane(
  flag: WorkersSetting | undefined,
  logger: Logger,
  out: { cluster?: ClusterPlane },
): DataPlaneFactory {
  return (proxy, loaded) => {
    const workers = workerCount(flag ?? loaded.config.workers);
    if (workers === 1) return createProxyServer(proxy);
    out.cluster = createClusterPlane({ workers, logger, proxy, loaded });
    return out.cluster;
  };
}

/** Where the admin UI is, and a newly generated token: shown this once, then only in its file. */
function printAdmin(a: AdminService, address: { address: string; port: number }): void {
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  console.error(`cordon: admin UI and API at http://${host}:${address.port}/`);
  if (a.token?.created) {
    console.error(
      `cordon: generated the admin token (saved to ${a.token.source}, mode 0600; shown only this once):`,
    );
    console.error(`  ${a.token.token}`);
  }
}
