/**
 * @module proxy/server
 * `createProxyServer()`: the listener. Strict HTTP/1.1 parsing (Node's llhttp, never lenient),
 * connection caps, absolute-form forwarding and CONNECT tunnels, one record per request or tunnel,
 * and a graceful close that drains up to a deadline. Reads the current `ProxyRuntime` once per
 * request, so a reload never touches open connections. Writes no logs itself: records go to `sink`.
 */
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decide } from '../policy/decide.js';
import { REASONS, type Decision } from '../policy/types.js';
import { failureFor, PROXY_ERRORS, ProxyError } from './errors.js';
import { createConnectHandler } from './connect.js';
import { forwardHttp } from './forward.js';
import { createRecorder, type Recorder } from './recorder.js';
import { parseAbsoluteTarget, type AbsoluteTarget } from './request-target.js';
import type { RecordSink } from './records.js';
import { sendRaw, sendResponse } from './respond.js';
import type { ProxyRuntime } from './runtime.js';
import { createConnectionTracker } from './connections.js';
import { checkRequestShape } from './request-checks.js';

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
  const logger = opts.logger ?? SILENT;
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
    requestTimeout: 0,
    noDelay: true,
  });
  server.maxHeadersCount = initial.limits.maxHeaders + 1;
  const getRuntime = (): ProxyRuntime => opts.getRuntime();
  const tracker = createConnectionTracker(server, getRuntime, recorder);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(opts.getRuntime(), agent, recorder, logger, req, res).catch((e: unknown) => {
      logger.error({ err: e }, 'request handler failed');
      res.destroy();
    });
  });
  server.on('connect', createConnectHandler(getRuntime, recorder, logger, tracker));
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    socket.on('error', () => socket.destroy());
    const r = recorder.start(req, 'http');
    sendRaw(
      socket,
      r.response(400, REASONS.badRequest, 'protocol upgrades are not supported through this proxy', ''),
    );
    r.finish({ status: 400, decision: 'deny', reason: REASONS.badRequest });
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    logger.debug({ code: err.code }, 'malformed request');
    recorder.malformed(socket, status);
    if (socket.writable && !socket.destroyed) {
      sendRaw(
        socket,
        recorder.bareResponse(status, REASONS.badRequest, `malformed request (${err.code ?? 'parse error'})`),
      );
    } else socket.destroy();
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
  const help = runtime.settings.denyMessage;
  let target: AbsoluteTarget | null;
  try {
    checkRequestShape(req, runtime.settings.limits);
    target = parseAbsoluteTarget(req.url ?? '');
    if (target === null)
      throw new ProxyError(
        PROXY_ERRORS.badRequest,
        'origin-form request: this is a forward proxy, send an absolute http:// URL',
      );
  } catch (e: unknown) {
    const f = failureFor(e);
    const status = e instanceof ProxyError && e.status !== undefined ? e.status : f.status;
    sendResponse(res, r.response(status, f.reason, e instanceof Error ? e.message : f.message, help), true);
    r.finish({ status, decision: 'deny', reason: f.reason });
    return;
  }
  r.target(target.scheme === 'https' ? 'https' : 'http', target.host, target.port, target.path);
  if (target.scheme !== 'http') {
    const detail = `${target.scheme}:// URLs are not forwarded; use CONNECT for https`;
    sendResponse(res, r.response(403, REASONS.schemeNotAllowed, detail, help), true);
    r.finish({ status: 403, decision: 'deny', reason: REASONS.schemeNotAllowed });
    return;
  }
  const decision: Decision = decide(runtime.policy, {
    client: r.record.client,
    scheme: 'http',
    host: target.host,
    port: target.port,
    isIp: target.isIp,
  });
  r.decision(decision, runtime.policy.version);
  if (!decision.allow) {
    sendResponse(
      res,
      r.response(403, decision.reason, decision.detail, help),
      req.readableLength > 0 || !req.complete,
    );
    r.finish({ status: 403 });
    return;
  }
  const out = await forwardHttp(runtime, agent, target, req, res);
  r.traffic(out);
  if (out.error !== null) {
    const f = failureFor(out.error);
    if (f.status === 500) logger.error({ err: out.error, id: r.record.id }, 'forwarding failed');
    if (!res.headersSent && !res.destroyed)
      sendResponse(res, r.response(f.status, f.reason, f.message, help), true);
    r.finish({ status: f.status, reason: f.reason, decision: f.status === 403 ? 'deny' : 'allow' });
    return;
  }
  r.finish({ status: res.statusCode });
}
