/**
 * @module admin/service
 * What `cordon start` adds to the gateway: the audit store under `storage.dir` (decisions are kept
 * even with the admin listener disabled), the admin token, and the admin listener on `admin.listen`.
 * Create it before the gateway starts, so no record is missed; close it after the gateway stopped,
 * so the store gets every record of the drain before its final flush.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAuditStore, type AuditStore } from '../audit/store.js';
import type { Gateway } from '../gateway/gateway.js';
import { parseListen } from '../gateway/gateway.js';
import { resolveAdminToken, type AdminToken } from './token.js';
import { createAdminServer, type AdminLogger, type AdminServer } from './server.js';

export const AUDIT_DB_FILE = 'audit.db';

export interface AdminServiceOptions {
  gateway: Gateway;
  logger: AdminLogger;
  env?: NodeJS.ProcessEnv;
  /** Overrides `admin.listen` (`HOST:PORT`). */
  listen?: string | undefined;
}

export interface AdminService {
  readonly store: AuditStore;
  /** Null when `admin.enabled` is false. */
  readonly token: AdminToken | null;
  readonly server: AdminServer | null;
  /** Start the admin listener (no-op when disabled); resolves with its address. */
  listen(): Promise<AddressInfo | null>;
  /** Close the listener, then flush and close the store. */
  close(): Promise<void>;
}

/** Retention keys, read when the config schema has them (`storage.retentionDays`, `storage.maxDecisions`). */
type StorageConfig = { dir: string; retentionDays?: number; maxDecisions?: number };

export function createAdminService(opts: AdminServiceOptions): AdminService {
  const { config } = opts.gateway.current().loaded;
  const storage: StorageConfig = config.storage;
  const dir = storage.dir;
  const store = createAuditStore({
    path: join(dir, AUDIT_DB_FILE),
    logger: opts.logger,
    maxAgeDays: storage.retentionDays,
    maxDecisions: storage.maxDecisions,
  });
  if (!config.admin.enabled) {
    const off = opts.gateway.onRecord((r) => store.add(r));
    return {
      store,
      token: null,
      server: null,
      listen: () => Promise.resolve(null),
      close() {
        off();
        return store.close();
      },
    };
  }
  let token: AdminToken;
  try {
    token = resolveAdminToken(dir, opts.env);
  } catch (e: unknown) {
    // Flushes synchronously; the worker's exit needs no waiting on this failure path.
    void store.close();
    throw e;
  }
  const server = createAdminServer({
    gateway: opts.gateway,
    store,
    token: token.token,
    metricsPublic: config.admin.metricsPublic,
    logger: opts.logger,
  });
  return {
    store,
    token,
    server,
    async listen() {
      const { host, port } = parseListen(opts.listen ?? config.admin.listen);
      const address = await server.listen(port, host);
      opts.logger.info({ listen: `${address.address}:${address.port}` }, 'admin listening');
      return address;
    },
    async close() {
      await server.close();
      await store.close();
    },
  };
}
