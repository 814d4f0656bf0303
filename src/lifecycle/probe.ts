/**
 * @module lifecycle/probe
 * The two network probes of `cordon doctor`: ask the configured proxy about a name that can never be
 * allowed (a Cordon proxy answers 403 with `X-Cordon-Decision` without resolving it), and try a
 * direct TCP connection that a locked-down notebook must not be able to make. Each probe has a
 * deadline and always settles; neither sends anything beyond one request line and headers.
 */
import { connect, type Socket } from 'node:net';

/** What a probe found, as a doctor check needs it. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** How a direct connection attempt ended. */
export type DirectOutcome = 'connected' | 'timeout' | `failed: ${string}`;

/** A name under `.invalid` (RFC 6761 §6.4): never registered, so no policy should allow it. */
export const PROBE_HOST = 'cordon-doctor.invalid';

/** Split `host:port` / `[v6]:port`; undefined when it is not that shape. */
export function splitTarget(target: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(target);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

function withDeadline<T>(
  socket: Socket,
  timeoutMs: number,
  onTimeout: T,
  run: (done: (v: T) => void) => void,
) {
  return new Promise<T>((resolve) => {
    let settled = false;
    const done = (value: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(onTimeout), timeoutMs);
    run(done);
  });
}

/** Try a TCP connection to `host:port` directly (no proxy). */
export function probeDirect(target: string, timeoutMs = 2000): Promise<DirectOutcome> {
  const hp = splitTarget(target);
  if (hp === undefined) return Promise.resolve(`failed: not HOST:PORT`);
  const socket = connect({ host: hp.host, port: hp.port });
  return withDeadline<DirectOutcome>(socket, timeoutMs, 'timeout', (done) => {
    socket.once('connect', () => done('connected'));
    socket.on('error', (e: NodeJS.ErrnoException) => done(`failed: ${e.code ?? e.message}`));
  });
}

/** Send one request for `PROBE_HOST` through `proxyUrl` and check that Cordon answered. */
export function probeProxy(proxyUrl: string, timeoutMs = 3000): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    return Promise.resolve({ ok: false, detail: `${JSON.stringify(proxyUrl)} is not a URL` });
  }
  const port = Number(url.port || '80');
  const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
  const timedOut = { ok: false, detail: `no answer from ${url.host} within ${timeoutMs} ms` };
  return withDeadline<ProbeResult>(socket, timeoutMs, timedOut, (done) => {
    let head = '';
    socket.setEncoding('latin1');
    socket.on('error', (e: NodeJS.ErrnoException) =>
      done({ ok: false, detail: `cannot connect to ${url.host}: ${e.code ?? e.message}` }),
    );
    socket.on('data', (chunk: string) => {
      head += chunk;
      if (head.includes('\r\n\r\n') || head.length > 16384) done(judge(url.host, head));
    });
    socket.once('end', () => done(judge(url.host, head)));
    socket.once('connect', () => {
      socket.write(`GET http://${PROBE_HOST}/ HTTP/1.1\r\nHost: ${PROBE_HOST}\r\nConnection: close\r\n\r\n`);
    });
  });
}

function judge(host: string, head: string): ProbeResult {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
  if (status === undefined) return { ok: false, detail: `${host} did not answer with HTTP` };
  if (/^x-cordon-decision:/im.test(head)) {
    return { ok: true, detail: `Cordon at ${host} answered ${status} for ${PROBE_HOST}` };
  }
  return { ok: false, detail: `${host} answered ${status}, but not as Cordon (no X-Cordon-Decision header)` };
}
