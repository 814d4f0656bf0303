/**
 * @module cli/start
 * `cordon start`: runs the gateway until SIGTERM/SIGINT (drain, flush logs, exit 0); SIGHUP reloads
 * the policy and reopens the log files (for logrotate).
 */
import { pino } from 'pino';
import { createGateway } from '../gateway/gateway.js';
import { fail, parse } from './args.js';

export async function runStart(args: string[]): Promise<number> {
  let gateway;
  const logger = pino({ name: 'cordon', level: process.env.CORDON_LOG_LEVEL ?? 'info' }, pino.destination(2));
  try {
    const { values } = parse(
      args,
      { config: { type: 'string', short: 'c' }, listen: { type: 'string' } },
      'start',
    );
    gateway = createGateway({ configPath: values.config, listen: values.listen, logger });
    await gateway.start();
  } catch (e: unknown) {
    return fail(e);
  }
  const g = gateway;
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'stopping: draining open connections');
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      g.stop().then(
        () => {
          logger.info({}, 'stopped');
          logger.flush();
          resolve(0);
        },
        (e: unknown) => {
          logger.error({ err: e }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => g.reload('SIGHUP'));
  });
}
