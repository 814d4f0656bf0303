/**
 * @module proxy/connect
 * The CONNECT path: strict `host:port` authority, decision on the https rules, resolve and check,
 * connect to the checked address, then hand over to the tunnel. A denied CONNECT gets the 403 and
 * the connection closes: bytes pipelined after it are never parsed or forwarded. A CONNECT that
 * announces a body is refused: a next hop could read those bytes as a request rather than tunnel data.
 * An allowed CONNECT takes a tunnel slot before any DNS or dial; over a tunnel cap it gets 429.
 */
import type { Socket } from 'node:net';
import { parseAuthority } from '../net/authority.js';
import { decide } from '../policy/decide.js';
import { REASONS, type Scheme } from '../policy/types.js';
import { checkedNow, connectChecked, resolveChecked } from './dial.js';
import { createDownstream } from './downstream.js';
import { PROXY_ERRORS, ProxyError } from './errors.js';
import { forwardFailure } from './http-admission.js';
import { refuseOverTunnelCap, type ConnectionTracker } from './connections.js';
import type { Recorder, RecordBuilder, RequestSource } from './recorder.js';
import { sendRaw } from './respond.js';
import type { ProxyRuntime } from './runtime.js';
import type { ProxyLogger } from './server.js';
import { runTunnel } from './tunnel.js';

function refuse(socket: Socket, r: RecordBuilder, e: unknown, help: string, logger: ProxyLogger): void {
  const { response, finish } = forwardFailure(e, r, help, logger);
  // A malformed CONNECT is the client's own doing: say exactly what, and record it as refused.
  const bad = response.status === 400;
  sendRaw(socket, bad && e instanceof Error ? { ...response, detail: e.message } : response);
  r.finish(bad ? { ...finish, decision: 'deny' } : finish);
}

/** What the handler reads of a CONNECT request; `IncomingMessage` fits. */
export type ConnectRequest = RequestSource & {
  readonly url?: string | undefined;
  readonly rawHeaders?: readonly string[];
};

/** RFC 9110 §9.3.6: a CONNECT request has no content. Content-Length 0 says so and is fine. */
function announcesBody(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    if (name === 'transfer-encoding') return true;
    if (name === 'content-length' && (raw[i + 1] ?? '').trim() !== '0') return true;
  }
  return false;
}

export function createConnectHandler(
  getRuntime: () => ProxyRuntime,
  recorder: Recorder,
  logger: ProxyLogger,
  tracker: ConnectionTracker,
): (req: ConnectRequest, socket: Socket, head: Buffer) => void {
  return (req, socket, head) => {
    const runtime = getRuntime();
    const help = runtime.settings.denyMessage;
    // The connection tracker already destroys the socket on 'error'.
    const r = recorder.start(req, 'https');
    let target: ReturnType<typeof parseAuthority>;
    try {
      target = parseAuthority(req.url ?? '');
      if (announcesBody(req.rawHeaders ?? [])) {
        throw new ProxyError(PROXY_ERRORS.badRequest, 'a CONNECT request has no body (RFC 9110 §9.3.6)');
      }
    } catch (e: unknown) {
      refuse(socket, r, e, help, logger);
      return;
    }
    const input = {
      client: r.record.client,
      scheme: 'https' as Scheme,
      host: target.host,
      port: target.port,
      isIp: target.isIp,
    };
    let decision = decide(runtime.policy, input);
    // Some clients (undici's ProxyAgent, Node's fetch) tunnel http:// too. A CONNECT to an http port
    // is decided by the http rules, and its payload is not held to TLS.
    if (decision.reason === REASONS.portNotAllowed) {
      const asHttp = decide(runtime.policy, { ...input, scheme: 'http' });
      if (asHttp.reason !== REASONS.portNotAllowed) {
        decision = asHttp;
        input.scheme = 'http';
      }
    }
    r.target(input.scheme, target.host, target.port, null);
    r.decision(decision, runtime.policy.version);
    if (!decision.allow) {
      sendRaw(socket, r.response(403, decision.reason, decision.detail, help));
      r.finish({ status: 403 });
      return;
    }
    // Decided first (pure, no DNS), so a denied CONNECT says why; a slot before any DNS or dial.
    const slot = tracker.openTunnel(r.record.client);
    if (!slot.ok) {
      refuseOverTunnelCap(socket, r, slot.detail);
      return;
    }
    socket.pause();
    const to = { host: target.host, port: target.port, isIp: target.isIp, tls: input.scheme === 'https' };
    void open(runtime, socket, head, to, r)
      .catch((e: unknown) => refuse(socket, r, e, help, logger))
      .finally(() => slot.release());
  };
}

async function open(
  runtime: ProxyRuntime,
  socket: Socket,
  head: Buffer,
  target: { host: string; port: number; isIp: boolean; tls: boolean },
  r: RecordBuilder,
): Promise<void> {
  const checked =
    checkedNow(runtime, target.host, target.isIp) ??
    (await resolveChecked(runtime, target.host, target.isIp));
  const t0 = performance.now();
  const downstream = createDownstream();
  const { connectMs: limit } = runtime.settings.timeouts;
  const upstream = await connectChecked(checked.address, target.port, limit, downstream.onread);
  upstream.on('error', () => upstream.destroy());
  const connectMs = Math.round((performance.now() - t0) * 1000) / 1000;
  if (socket.destroyed) {
    upstream.destroy();
    r.finish({ status: 0, reason: REASONS.badRequest });
    return;
  }
  const result = await runTunnel(socket, upstream, head, target, runtime.settings, downstream);
  r.traffic({
    resolved: checked.address,
    dnsMs: checked.dnsMs,
    connectMs,
    bytesUp: result.bytesUp,
    bytesDown: result.bytesDown,
  });
  if (result.refused !== null) r.finish({ status: 200, decision: 'deny', reason: result.refused });
  else r.finish({ status: 200 });
}
