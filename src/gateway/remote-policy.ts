/**
 * @module gateway/remote-policy
 * Keeps a remote policy (S3 object or SSM parameter) current: polls its source, hands each new
 * version to the gateway to validate and swap, and caches the last good one on disk so a restart
 * while the source is unreachable still enforces it. The local cordon.yaml keeps the settings of
 * the host (listen, admin, storage, log, policy, workers); the remote document supplies the rest.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parse, stringify } from 'yaml';
import { errorMessage } from '../errors.js';
import { createPolicySource, type PolicySource, type PolicySourceOptions } from './policy-source.js';

/** Keys that belong to the host and are never taken from the remote document. */
const LOCAL_KEYS = new Set(['listen', 'admin', 'storage', 'log', 'policy', 'workers']);

/** The local config with the remote document's policy keys laid over it, as YAML text. */
export function mergeRemotePolicy(localText: string, remoteText: string): string {
  const local = (parse(localText) ?? {}) as Record<string, unknown>;
  const remote = parse(remoteText) as unknown;
  if (typeof remote !== 'object' || remote === null || Array.isArray(remote)) {
    throw new Error('the remote policy must be a YAML mapping like cordon.yaml');
  }
  const merged: Record<string, unknown> = { ...local };
  for (const [k, v] of Object.entries(remote)) if (!LOCAL_KEYS.has(k)) merged[k] = v;
  return stringify(merged);
}

interface Cached {
  text: string;
  version: string;
}

export interface RemotePolicyOptions extends PolicySourceOptions {
  readonly uri: string;
  readonly cacheDir: string;
  readonly pollSeconds: number;
  readonly logger: Logger;
  /** Validate and swap in; returns false (and keeps the old policy) when the text is refused. */
  apply(text: string, version: string, trigger: string): boolean;
}

export interface RemotePolicy {
  /** The last good remote document (from the cache at start), or null. */
  current(): Cached | null;
  /** Fetch once now; resolves when done (never rejects). */
  poll(): Promise<void>;
  start(): void;
  stop(): void;
}

export function createRemotePolicy(o: RemotePolicyOptions): RemotePolicy | null {
  const source: PolicySource | null = createPolicySource(o.uri, o);
  if (source === null) return null;
  const cacheFile = join(o.cacheDir, 'policy-cache.json');
  let last: Cached | null = null;
  try {
    last = JSON.parse(readFileSync(cacheFile, 'utf8')) as Cached;
  } catch {
    last = null;
  }
  let rejected: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | null = null;

  const save = (c: Cached): void => {
    mkdirSync(o.cacheDir, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
    renameSync(tmp, cacheFile);
  };

  const pollOnce = async (): Promise<void> => {
    try {
      const got = await source.fetch(last?.version ?? null);
      // A version already refused is not retried (nor logged again) until a new one appears.
      if (got === null || got.version === rejected) return;
      if (o.apply(got.text, got.version, `${o.uri} version ${got.version}`)) {
        last = { text: got.text, version: got.version };
        save(last);
      } else rejected = got.version;
    } catch (e: unknown) {
      o.logger.error(
        { source: o.uri, err: errorMessage(e) },
        'policy source unreachable; keeping the last good policy',
      );
    }
  };

  return {
    current: () => last,
    poll() {
      inFlight ??= pollOnce().finally(() => (inFlight = null));
      return inFlight;
    },
    start() {
      timer = setInterval(() => void this.poll(), o.pollSeconds * 1000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      source.close();
    },
  };
}
