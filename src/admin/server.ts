/**
 * @module admin/server
 * The admin listener as a factory returning a handle: builds the services and the app, subscribes
 * to the gateway's records (audit store, metrics, live tail) and reloads (metrics, hand-edit
 * audit), and serves on its own port. Never imports the proxy: the gateway's public interface is
 * the only way in.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { createMetrics } from '../audit/metrics.js';
import type { AuditStore } from '../audit/store.js';
import { errorMessage } from '../errors.js';
import { createAdminApp } from './app.js';
import { createAuth, type AdminEnv } from './auth.js';
import type { AdminContext } from './context.js';
import { createLiveFeed } from './live.js';
import { createPolicyService, type AdminGateway } from './policy-service.js';
import { createReviewService } from './review-service.js';

export interface AdminLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AdminServerOptions {
  gateway: AdminGateway;
  store: AuditStore;
  token: string;
  /** Serve /metrics without the token (`admin.metricsPublic`). */
  metricsPublic?: boolean;
  logger?: AdminLogger;
  now?: () => number;
}

export interface AdminServer {
  readonly app: Hono<AdminEnv>;
  readonly context: AdminContext;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stop listening, end live streams, unsubscribe. Does not close the store (its owner does). */
  close(): Promise<void>;
}

export function createAdminServer(opts: AdminServerOptions): AdminServer {
  const { gateway, store } = opts;
  const log = opts.logger;
  const metrics = createMetrics({
    connections: () => gateway.stats(),
    audit: () => store.stats(),
    policyVersion: () => gateway.current().runtime.policy.version,
  });
  const policy = createPolicyService(gateway, store.db, log);
  const live = createLiveFeed();
  const context: AdminContext = {
    gateway,
    store,
    policy,
    review: createReviewService(store.db, policy),
    metrics,
    live,
    auth: createAuth(opts.token),
    metricsPublic: opts.metricsPublic ?? false,
    now: opts.now ?? Date.now,
  };
  const offRecord = gateway.onRecord((r) => {
    store.add(r);
    metrics.observe(r);
    live.publish(r);
  });
  const offReload = gateway.onReload(() => metrics.reloaded(true));
  // Every refused reload counts: file edits, SIGHUP, remote sources and the admin's own edits.
  const offReloadFailed = gateway.onReloadFailed(() => metrics.reloaded(false));
  try {
    policy.syncFileChanges();
  } catch (e: unknown) {
    log?.warn({ err: errorMessage(e) }, 'could not compare the policy files with the audit log');
  }
  const app = createAdminApp(context, log);
  const server = createAdaptorServer({ fetch: app.fetch });
  server.on('error', (e: Error) => log?.error({ err: e.message }, 'admin listener error'));
  let closing: Promise<void> | undefined;

  return {
    app,
    context,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const fail = (e: Error): void => reject(e);
        server.once('error', fail);
        server.listen(port, host, () => {
          server.off('error', fail);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        offRecord();
        offReload();
        offReloadFailed();
        policy.close();
        live.closeAll();
        if (!server.listening) return resolve();
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      return closing;
    },
  };
}
