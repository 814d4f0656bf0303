/**
 * @module proxy/connections
 * Every client connection the listener accepts: total and per-client caps (answered with 429 and
 * `Retry-After`, never a silent drop), the open-tunnel count, and the graceful drain on close
 * (stop accepting, let open work finish until a deadline, then close what is left).
 */
import type { Server as HttpServer } from 'node:http';
import type { Server, Socket } from 'node:net';
import { REASONS } from '../policy/types.js';
import { clientAddress } from './records.js';
import type { Recorder } from './recorder.js';
import { sendRaw } from './respond.js';
import type { ProxyRuntime } from './runtime.js';

export interface ConnectionTracker {
  tunnelOpened(): void;
  tunnelClosed(): void;
  stats(): { connections: number; tunnels: number };
  drain(deadlineMs: number): Promise<void>;
}

// How often a drain re-closes connections that went idle after their last response.
const DRAIN_POLL_MS = 25;
const RETRY_AFTER_S = 1;

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
      const n = (perClient.get(client) ?? 1) - 1;
      if (n <= 0) perClient.delete(client);
      else perClient.set(client, n);
    });
    hooks.onAccepted?.(socket);
  });

  return {
    tunnelOpened: () => void tunnels++,
    tunnelClosed: () => void tunnels--,
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
