/**
 * @module proxy/connections
 * Every client connection the listener accepts: total and per-client caps (answered with 429 and
 * `Retry-After`, never a silent drop); the tunnel slots (CONNECT tunnels and WebSocket relays) under
 * caps of their own; and the graceful drain on close (stop accepting, let open work finish until a
 * deadline, then close what is left). Caps are read from the runtime in force at each admission, so
 * a reload changes them for new work and never touches what is open.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server, Socket } from 'node:net';
import { REASONS } from '../policy/types.js';
import { RETRY_AFTER_S } from './errors.js';
import { clientAddress } from './records.js';
import type { Recorder, RecordBuilder } from './recorder.js';
import { sendRaw } from './respond.js';
import type { ProxyRuntime } from './runtime.js';

/** A tunnel slot, or why there is none. `release()` gives it back (idempotent). */
export type TunnelSlot = { ok: true; release(): void } | { ok: false; detail: string };

export interface ConnectionTracker {
  /**
   * Take a slot for a CONNECT tunnel or WebSocket relay from `client` (its display address), under
   * `limits.maxTunnels` and `limits.maxTunnelsPerClient` as they are now. Taken before the upstream
   * is dialled, so dials in flight count too; held until the tunnel closes.
   */
  openTunnel(client: string): TunnelSlot;
  /** Open client connections, and tunnel slots taken (relaying or still dialling). */
  stats(): { connections: number; tunnels: number };
  drain(deadlineMs: number): Promise<void>;
}

// How often a drain re-closes connections that went idle after their last response.
const DRAIN_POLL_MS = 25;

/** Answer a CONNECT or upgrade that found no tunnel slot: 429, one record, and the connection closed. */
export function refuseOverTunnelCap(socket: Socket, r: RecordBuilder, detail: string): void {
  sendRaw(socket, { ...r.response(429, REASONS.limitExceeded, detail, ''), retryAfter: RETRY_AFTER_S });
  r.finish({ status: 429, decision: 'deny', reason: REASONS.limitExceeded });
}

/** Count one down in a per-client map, forgetting clients at zero. */
function decrement(counts: Map<string, number>, client: string): void {
  const n = (counts.get(client) ?? 1) - 1;
  if (n <= 0) counts.delete(client);
  else counts.set(client, n);
}

export interface TrackerHooks {
  /** Close connections that sit idle between requests (default: `http.Server#closeIdleConnections`). */
  closeIdle?: () => void;
  /** Called with every connection admitted under the caps (an engine on a plain `net.Server`). */
  onAccepted?: (socket: Socket) => void;
}

export function createConnectionTracker(
  server: Server,
  getRuntime: () => ProxyRuntime,
  recorder: Recorder,
  hooks: TrackerHooks = {},
): ConnectionTracker {
  const closeIdle = hooks.closeIdle ?? (() => (server as HttpServer).closeIdleConnections());
  const sockets = new Set<Socket>();
  const perClient = new Map<string, number>();
  const tunnelsPerClient = new Map<string, number>();
  let tunnels = 0;

  server.on('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    const client = clientAddress(socket.remoteAddress);
    const { limits } = getRuntime().settings;
    const mine = perClient.get(client) ?? 0;
    if (sockets.size >= limits.maxConnections || mine >= limits.maxConnectionsPerClient) {
      recorder.malformed(socket, 429, REASONS.limitExceeded);
      const r = recorder.bareResponse(429, REASONS.limitExceeded, 'too many connections; try again shortly');
      sendRaw(socket, { ...r, retryAfter: RETRY_AFTER_S });
      socket.destroySoon();
      return;
    }
    sockets.add(socket);
    perClient.set(client, mine + 1);
    socket.once('close', () => {
      sockets.delete(socket);
      decrement(perClient, client);
    });
    hooks.onAccepted?.(socket);
  });

  return {
    openTunnel(client) {
      const { limits } = getRuntime().settings;
      const mine = tunnelsPerClient.get(client) ?? 0;
      if (tunnels >= limits.maxTunnels)
        return { ok: false, detail: 'too many open tunnels; try again shortly' };
      if (mine >= limits.maxTunnelsPerClient) {
        return { ok: false, detail: 'too many open tunnels from this client; try again shortly' };
      }
      tunnels++;
      tunnelsPerClient.set(client, mine + 1);
      let held = true;
      return {
        ok: true,
        release() {
          if (!held) return;
          held = false;
          tunnels--;
          decrement(tunnelsPerClient, client);
        },
      };
    },
    stats: () => ({ connections: sockets.size, tunnels }),
    drain(deadlineMs) {
      return new Promise((resolve) => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        const started = Date.now();
        const tick = setInterval(() => {
          closeIdle();
          if (Date.now() - started >= deadlineMs) for (const s of sockets) s.destroy();
        }, DRAIN_POLL_MS);
        closeIdle();
        void closed.then(() => {
          clearInterval(tick);
          resolve();
        });
      });
    },
  };
}
