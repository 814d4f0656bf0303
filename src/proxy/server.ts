/**
 * @module proxy/server
 * `createProxyServer()`: the listener. Strict HTTP/1.1 parsing (Node's llhttp, never lenient),
 * connection caps, absolute-form forwarding and CONNECT tunnels, one record per request or tunnel,
 * and a graceful close that drains up to a deadline. Reads the current `ProxyRuntime` once per
 * request, so a reload never touches open connections. Writes no logs itself: records go to `sink`.
 */
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { REASONS } from '../policy/types.js';
import { createConnectHandler } from './connect.js';
import { forwardHttp } from './forward.js';
import { createRecorder, type Recorder } from './recorder.js';
import type { RecordSink } from './records.js';
import { sendRaw, sendResponse } from './respond.js';
import type { ProxyRuntime } from './runtime.js';
import { createConnectionTracker } from './connections.js';
import { handleUpgrade } from './upgrade.js';
import { createFastProxyServer } from './fast/server.js';
import { admitHttpRequest, forwardFailure } from './http-admission.js';
import { guardListener, rateLimitWarnings } from './warnings.js';

export interface ProxyLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ProxyServerOptions {
  /** The runtime in force; read once per request or tunnel. */
  getRuntime(): ProxyRuntime;
  sink: RecordSink;
  logger?: ProxyLogger;
  /** Data-plane engine: `node` (node:http + http.Agent) or `fast` (own strict parser, raw sockets). */
  engine?: 'fast' | 'node';
}

export interface ProxyServerHandle {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stop accepting, drain open work up to the drain deadline, then close what is left. */
  close(): Promise<void>;
  address(): AddressInfo | null;
  /** Open client connections and tunnels, for metrics and tests. */
  stats(): { connections: number; tunnels: number };
}

const SILENT: ProxyLogger = { warn() {}, error() {}, debug() {} };

export function createProxyServer(opts: ProxyServerOptions): ProxyServerHandle {
  if (opts.engine === 'fast') return createFastProxyServer(opts);
  const logger = rateLimitWarnings(opts.logger ?? SILENT);
  const initial = opts.getRuntime().settings;
  const recorder = createRecorder(opts.sink);
  const agent = new Agent({
    keepAlive: true,
    maxFreeSockets: 256,
    scheduling: 'lifo',
    timeout: initial.timeouts.idleMs,
  });
  const server = createServer({
    insecureHTTPParser: false,
    maxHeaderSize: initial.limits.maxHeaderBytes,
    joinDuplicateHeaders: false,
    keepAliveTimeout: initial.timeouts.idleMs,
    headersTimeout: initial.timeouts.headersMs,
    // Node checks headersTimeout only every connectionsCheckingInterval (30 s by default), which
    // would let a slowloris client hold a connection far past the configured limit.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(initial.timeouts.headersMs / 4))),
    requestTimeout: 0,
    noDelay: true,
  });
  server.maxHeadersCount = initial.limits.maxHeaders + 1;
  const getRuntime = (): ProxyRuntime => opts.getRuntime();
  guardListener(server, logger);
  const tracker = createConnectionTracker(server, getRuntime, recorder);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(opts.getRuntime(), agent, recorder, logger, req, res).catch((e: unknown) => {
      logger.error({ err: e }, 'request handler failed');
      res.destroy();
    });
  });
  server.on('connect', createConnectHandler(getRuntime, recorder, logger, tracker));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    handleUpgrade(getRuntime(), { recorder, tracker, logger }, req, socket, head).catch((e: unknown) => {
      logger.error({ err: e }, 'upgrade handler failed');
      socket.destroy();
    });
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    logger.debug({ code: err.code }, 'malformed request');
    // A client that leaves after our 408 makes llhttp report a second error: not a second request.
    if (!socket.writable || socket.destroyed) {
      socket.destroy();
      return;
    }
    recorder.malformed(socket, status);
    sendRaw(
      socket,
      recorder.bareResponse(status, REASONS.badRequest, `malformed request (${err.code ?? 'parse error'})`),
    );
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
      const deadline = opts.getRuntime().settings.timeouts.drainMs;
      await tracker.drain(deadline);
      agent.destroy();
    },
    address: () => server.address() as AddressInfo | null,
    stats: () => tracker.stats(),
  };
}

async function handleRequest(
  runtime: ProxyRuntime,
  agent: Agent,
  recorder: Recorder,
  logger: ProxyLogger,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const r = recorder.start(req, 'http');
  const admission = admitHttpRequest(runtime, r, req);
  if (!admission.allowed) {
    // Keep the connection for the next pipelined request unless a request body is still pending.
    const cl = req.headers['content-length'];
    const bodyPending = req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
    const close = !admission.denial || bodyPending;
    sendResponse(res, admission.response, close);
    r.finish(admission.finish);
    return;
  }
  const out = await forwardHttp(runtime, agent, admission.target, req, res);
  r.traffic(out);
  if (out.error !== null) {
    const failure = forwardFailure(out.error, r, runtime.settings.denyMessage, logger);
    if (!res.headersSent && !res.destroyed) sendResponse(res, failure.response, true);
    r.finish(failure.finish);
    return;
  }
  r.finish({ status: res.statusCode });
}
