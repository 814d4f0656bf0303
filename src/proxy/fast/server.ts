/**
 * @module proxy/fast/server
 * `createFastProxyServer()`: the fast data-plane engine behind the same handle as the node engine.
 * A plain `net.Server` whose connections are parsed by the fast engine's own strict parser; the
 * connection caps, CONNECT tunnels, decisions and records are the node engine's own modules.
 * Writes no logs itself: records go to `sink`.
 */
import { createServer, type AddressInfo } from 'node:net';
import { createConnectHandler } from '../connect.js';
import { createConnectionTracker } from '../connections.js';
import { createRecorder } from '../recorder.js';
import type { ProxyRuntime } from '../runtime.js';
import type { ProxyLogger, ProxyServerHandle, ProxyServerOptions } from '../server.js';
import { handleUpgrade } from '../upgrade.js';
import { ClientConnection, type EngineContext, type HandOver } from './client.js';
import { sweepInterval, startSweep } from './idle-sweep.js';
import { UpstreamPool } from './pool.js';
import { guardListener, rateLimitWarnings } from '../warnings.js';

const SILENT: ProxyLogger = { warn() {}, error() {}, debug() {} };

export function createFastProxyServer(opts: ProxyServerOptions): ProxyServerHandle {
  const logger = rateLimitWarnings(opts.logger ?? SILENT);
  const initial = opts.getRuntime().settings;
  const getRuntime = (): ProxyRuntime => opts.getRuntime();
  const recorder = createRecorder(opts.sink);
  const pool = new UpstreamPool(initial.timeouts.idleMs, initial.limits.maxHeaderBytes);
  // allowHalfOpen: a client may send its request and half-close; it still gets the response.
  const server = createServer({ allowHalfOpen: true, noDelay: true });
  guardListener(server, logger);
  const conns = new Set<ClientConnection>();
  const ctx: EngineContext = {
    getRuntime,
    recorder,
    logger,
    pool,
    conns,
    connect: () => undefined,
    upgrade: () => undefined,
  };
  const tracker = createConnectionTracker(server, getRuntime, recorder, {
    closeIdle: () => {
      for (const c of conns) c.closeIfIdle();
    },
    onAccepted: (socket) => void conns.add(new ClientConnection(socket, ctx)),
  });
  const connect = createConnectHandler(getRuntime, recorder, logger, tracker);
  const upgrade: HandOver = (req, socket, head) => {
    handleUpgrade(getRuntime(), { recorder, tracker, logger }, req, socket, head).catch((e: unknown) => {
      logger.error({ err: e }, 'upgrade handler failed');
      socket.destroy();
    });
  };
  Object.assign(ctx, { connect, upgrade });
  // The client connections' idle and head timeouts: one sweep instead of a timer per socket.
  const sweep = startSweep(conns, () => {
    const { headersMs, idleMs } = getRuntime().settings.timeouts;
    return sweepInterval(Math.min(headersMs, idleMs));
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      await tracker.drain(opts.getRuntime().settings.timeouts.drainMs);
      sweep.stop();
      pool.destroyAll();
    },
    address: () => server.address() as AddressInfo | null,
    stats: () => tracker.stats(),
  };
}
