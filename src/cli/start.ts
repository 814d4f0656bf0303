/**
 * @module cli/start
 * `cordon start`: runs the gateway until SIGTERM/SIGINT (drain, flush logs, exit 0); SIGHUP reloads
 * the policy and reopens the log files (for logrotate). Also runs the audit store and the admin
 * listener (admin/service) beside the gateway, and prints a newly generated admin token once.
 */
import { pino } from 'pino';
import { createAdminService, type AdminService } from '../admin/service.js';
import { createGateway, type Gateway } from '../gateway/gateway.js';
import { fail, parse } from './args.js';

export async function runStart(args: string[]): Promise<number> {
  const logger = pino({ name: 'cordon', level: process.env.CORDON_LOG_LEVEL ?? 'info' }, pino.destination(2));
  let gateway: Gateway;
  let admin: AdminService;
  try {
    const { values } = parse(
      args,
      { config: { type: 'string', short: 'c' }, listen: { type: 'string' } },
      'start',
    );
    gateway = createGateway({ configPath: values.config, listen: values.listen, logger });
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
