/**
 * @module proxy/tunnel
 * One allowed CONNECT tunnel after the upstream is connected: answer 200, read the client's first
 * bytes until a whole TLS ClientHello is there (bounded in size and time), check that its SNI names
 * the CONNECT host, and only then send anything upstream and relay both ways with an idle timeout.
 * Bytes that arrive before the check are never forwarded unchecked.
 */
import type { Socket } from 'node:net';
import { createClientHelloReader } from '../net/client-hello.js';
import { REASONS, type ReasonCode } from '../policy/types.js';
import type { Downstream } from './downstream.js';
import { writeLater } from './flush-later.js';
import type { ProxySettings } from './runtime.js';

export interface TunnelResult {
  /**
   * null when the tunnel ran, or when the client closed it before sending a byte (nothing to
   * refuse: recorded as the allowed tunnel it was, with no bytes); otherwise why it was closed
   * before relaying.
   */
  refused: ReasonCode | null;
  detail: string;
  bytesUp: number;
  bytesDown: number;
}

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

type Verdict = { ok: true; bytes: Buffer } | { ok: false; reason: ReasonCode | null; detail: string };

/** Read and judge the ClientHello. Resolves once there is a verdict; never rejects. */
function checkClientHello(
  client: Socket,
  head: Buffer,
  host: string,
  isIp: boolean,
  tls: ProxySettings['tls'],
): Promise<Verdict> {
  return new Promise((resolve) => {
    const reader = createClientHelloReader({ maxBytes: tls.maxClientHelloBytes });
    const timer = setTimeout(
      () => done({ ok: false, reason: REASONS.notTls, detail: 'no TLS ClientHello in time' }),
      tls.peekTimeoutMs,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      client.removeListener('data', onData);
      client.removeListener('end', onEnd);
    };
    const done = (v: Verdict): void => {
      cleanup();
      client.pause();
      resolve(v);
    };
    let received = 0;
    // A client that leaves without a byte tried nothing; one that leaves halfway through is refused.
    const onEnd = (): void =>
      done(
        received === 0
          ? { ok: false, reason: null, detail: 'client closed the tunnel before sending anything' }
          : { ok: false, reason: REASONS.notTls, detail: 'client closed before a whole ClientHello' },
      );
    const seen: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (!tls.requireTls) seen.push(chunk);
      const r = reader.push(chunk);
      switch (r.kind) {
        case 'need-more':
          return;
        case 'not-tls':
          if (tls.requireTls)
            return done({ ok: false, reason: REASONS.notTls, detail: 'the tunnel did not start with TLS' });
          return done({ ok: true, bytes: Buffer.concat(seen) });
        case 'too-large':
        case 'malformed':
          return done({ ok: false, reason: REASONS.notTls, detail: `malformed TLS ClientHello (${r.kind})` });
        case 'hello':
          if (r.sni === null) {
            if (isIp || !tls.requireSni) return done({ ok: true, bytes: r.bytes });
            return done({
              ok: false,
              reason: REASONS.sniMissing,
              detail: 'the TLS ClientHello has no server name',
            });
          }
          if (r.sni !== host) {
            return done({
              ok: false,
              reason: REASONS.sniMismatch,
              detail: `TLS server name ${r.sni} does not match ${host}`,
            });
          }
          return done({ ok: true, bytes: r.bytes });
      }
    };
    client.on('data', onData);
    client.once('end', onEnd);
    if (head.length > 0) onData(head);
    client.resume();
  });
}

/**
 * One direction of a relay: what `from` reads is written to `to`, and `from` pauses while `to` has
 * more than its high-water mark waiting; `from`'s FIN is passed on. What `stream.pipe()` does, at a
 * tenth of its set-up cost (it adds about ten listeners and closures to each side).
 */
/**
 * Pass on a FIN unless the socket was ended or destroyed already: `end()` then builds an error (and
 * captures its stack, ~10 µs) only for Node to drop it, once per tunnel close.
 */
function endOnce(s: Socket): void {
  if (!s.writableEnded && !s.destroyed) s.end();
}

function forward(from: Socket, to: Socket): void {
  const resume = (): void => void from.resume();
  from.on('data', (chunk: Buffer) => {
    if (to.destroyed) return;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', resume);
    }
  });
  from.once('end', () => endOnce(to));
}

/**
 * Relay until either side closes. The download half goes through `downstream` when the upstream
 * was connected with its `onread`, otherwise it is forwarded like the upload half.
 */
export function relay(
  client: Socket,
  upstream: Socket,
  idleMs: number,
  downstream?: Downstream,
): Promise<void> {
  return new Promise((resolve) => {
    const gone = new Set<Socket>();
    // Once one side is fully closed nothing more can reach it: pass on its FIN, let what is
    // already written flush, then close the other side too (no half-open tunnels left behind).
    const onClose = (side: Socket, other: Socket) => (hadError: boolean) => {
      if (gone.has(side)) return;
      gone.add(side);
      if (hadError) other.destroy();
      else {
        endOnce(other);
        if (other.writableFinished) other.destroy();
        else other.once('finish', () => other.destroy());
      }
      if (gone.size === 2) resolve();
    };
    for (const s of [client, upstream]) {
      s.setTimeout(idleMs, () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', onClose(client, upstream));
    upstream.on('close', onClose(upstream, client));
    forward(client, upstream);
    if (downstream) {
      upstream.once('end', () => endOnce(client));
      downstream.attach(client, upstream);
    } else forward(upstream, client);
    // A side that hung up before the relay began (during the ClientHello check) has no 'close' to come.
    if (upstream.destroyed) onClose(upstream, client)(false);
    if (client.destroyed) onClose(client, upstream)(false);
    client.resume();
  });
}

/** Run the tunnel for an allowed CONNECT whose upstream is already connected. */
export async function runTunnel(
  client: Socket,
  upstream: Socket,
  head: Buffer,
  target: { host: string; isIp: boolean; tls: boolean },
  settings: ProxySettings,
  downstream?: Downstream,
): Promise<TunnelResult> {
  client.write(ESTABLISHED);
  const verdict: Verdict = target.tls
    ? await checkClientHello(client, head, target.host, target.isIp, settings.tls)
    : { ok: true, bytes: head };
  if (!verdict.ok) {
    client.destroy();
    upstream.destroy();
    return { refused: verdict.reason, detail: verdict.detail, bytesUp: 0, bytesDown: 0 };
  }
  writeLater(upstream, verdict.bytes);
  await relay(client, upstream, settings.timeouts.tunnelIdleMs, downstream);
  return {
    refused: null,
    detail: 'tunnel closed',
    bytesUp: upstream.bytesWritten,
    bytesDown: upstream.bytesRead,
  };
}
