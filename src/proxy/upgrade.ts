/**
 * @module proxy/upgrade
 * WebSocket upgrades through the proxy: an absolute-form `Upgrade: websocket` request gets the same
 * admission and decision as any plain-HTTP request, is re-serialised to the checked address, and
 * once the upstream answers the connection is relayed both ways like a tunnel, under the tunnel caps
 * (a slot is taken before any DNS or dial; none free → 429). Every other upgrade (h2c included) is
 * refused with 400.
 */
import type { Socket } from 'node:net';
import { REASONS } from '../policy/types.js';
import { refuseOverTunnelCap, type ConnectionTracker } from './connections.js';
import { connectChecked, resolveChecked } from './dial.js';
import { hostHeaderFor, upstreamRequestHeaders } from './headers.js';
import { admitHttpRequest, forwardFailure } from './http-admission.js';
import type { Recorder, RecordBuilder, RequestSource } from './recorder.js';
import type { RequestShape } from './request-checks.js';
import type { AbsoluteTarget } from './request-target.js';
import { sendRaw } from './respond.js';
import type { ProxyRuntime } from './runtime.js';
import type { ProxyLogger } from './server.js';
import { relay } from './tunnel.js';

function serializeHead(method: string, path: string, headers: string[]): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return head + '\r\n';
}

/** What the upgrade path reads of a request; `IncomingMessage` and the fast engine's head both fit. */
export type UpgradeRequest = RequestShape &
  RequestSource & { readonly headers: { readonly upgrade?: string | undefined } };

/** What the upgrade path is handed by its engine. */
export interface UpgradeContext {
  readonly recorder: Recorder;
  readonly tracker: ConnectionTracker;
  readonly logger: ProxyLogger;
}

export async function handleUpgrade(
  runtime: ProxyRuntime,
  { recorder, tracker, logger }: UpgradeContext,
  req: UpgradeRequest,
  socket: Socket,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => socket.destroy());
  const r = recorder.start(req, 'http');
  const help = runtime.settings.denyMessage;
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    sendRaw(
      socket,
      r.response(400, REASONS.badRequest, 'only WebSocket upgrades are relayed (no h2c)', help),
    );
    r.finish({ status: 400, decision: 'deny', reason: REASONS.badRequest });
    return;
  }
  const admission = admitHttpRequest(runtime, r, req);
  if (!admission.allowed) {
    sendRaw(socket, admission.response);
    r.finish(admission.finish);
    return;
  }
  const slot = tracker.openTunnel(r.record.client);
  if (!slot.ok) {
    refuseOverTunnelCap(socket, r, slot.detail);
    return;
  }
  try {
    await relayUpgrade(runtime, { r, logger, t: admission.target }, req, socket, head);
  } finally {
    slot.release();
  }
}

/** Dial the checked address, send the re-serialised upgrade request, then relay until either closes. */
async function relayUpgrade(
  runtime: ProxyRuntime,
  { r, logger, t }: { r: RecordBuilder; logger: ProxyLogger; t: AbsoluteTarget },
  req: UpgradeRequest,
  socket: Socket,
  head: Buffer,
): Promise<void> {
  let upstream: Socket;
  let checked;
  try {
    checked = await resolveChecked(runtime, t.host, t.isIp);
    upstream = await connectChecked(checked.address, t.port, runtime.settings.timeouts.connectMs);
  } catch (e: unknown) {
    const { response, finish } = forwardFailure(e, r, runtime.settings.denyMessage, logger);
    sendRaw(socket, response);
    r.finish(finish);
    return;
  }
  upstream.on('error', () => upstream.destroy());
  const headers = upstreamRequestHeaders(req.rawHeaders, hostHeaderFor(t.host, t.port, 80));
  headers.push('Connection', 'Upgrade', 'Upgrade', 'websocket');
  upstream.write(serializeHead(req.method ?? 'GET', t.path, headers));
  if (head.length > 0) upstream.write(head);
  let status = 0;
  upstream.once('data', (chunk: Buffer) => {
    status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(chunk.subarray(0, 16).toString('latin1'))?.[1] ?? 0);
  });
  await relay(socket, upstream, runtime.settings.timeouts.tunnelIdleMs);
  r.traffic({
    resolved: checked.address,
    dnsMs: checked.dnsMs,
    connectMs: null,
    bytesUp: upstream.bytesWritten,
    bytesDown: upstream.bytesRead,
  });
  r.finish({ status });
}
