/**
 * @module bench/load/soak
 * Load generator for the mixed soak (f), one process per proxy on the load core. Open loop at fixed
 * rates, so a slower proxy gets the same work rather than less: small GETs over keep-alive
 * connections, CONNECT + TLS + GET, requests that must be denied (plain GET and CONNECT to a host
 * not on the allowlist, expecting 403), and an 8 MiB download every few seconds (plain HTTP and
 * through a tunnel, in turn). Prints `"ready"`, starts on `go`, prints one {@link SoakInterval}
 * per interval for `intervals` intervals, then waits for the end of stdin and exits.
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { MEDIUM_BYTES } from '../origin-spec.js';
import { deniedConnect, proxiedGet, tunnelDownload, tunnelGet } from './http-ops.js';
import { count, type Tally } from './outcome.js';
import { emit, stdinLines, type LoadTarget } from './raw.js';

export interface SoakLoadOptions extends LoadTarget {
  proxyPort: number;
  httpPort: number;
  intervalMs: number;
  intervals: number;
}

export interface SoakInterval {
  interval: number;
  /** Completed operations, errors and operations not started (too many in flight), by kind. */
  ok: Tally;
  errors: Tally;
  skipped: Tally;
  /** `kind outcome` → count, e.g. `small 502`. */
  errorKinds: Tally;
}

type Kind = 'small' | 'tls' | 'denied' | 'bulk';

/** Per second, and the most in flight at once (beyond it a start is skipped and counted). */
export const SOAK_MIX: Readonly<Record<Kind, { perSecond: number; maxInFlight: number }>> = {
  small: { perSecond: 200, maxInFlight: 64 },
  tls: { perSecond: 10, maxInFlight: 32 },
  denied: { perSecond: 10, maxInFlight: 32 },
  bulk: { perSecond: 0.2, maxInFlight: 2 },
};
const KEEP_ALIVE_SOCKETS = 8;
const TICK_MS = 10;
const DENIED_HOST = 'not-allowed.bench';

const opts = JSON.parse(process.argv[2] ?? '{}') as SoakLoadOptions;
const agent = new Agent({ keepAlive: true, maxSockets: KEEP_ALIVE_SOCKETS });
let seq = 0;

function operation(kind: Kind): Promise<string> {
  const origin = `${opts.originHost}:${opts.httpPort}`;
  const n = seq++;
  switch (kind) {
    case 'small':
      return proxiedGet({ proxyPort: opts.proxyPort, url: `http://${origin}/small`, expect: 200, agent });
    case 'tls':
      return tunnelGet(opts);
    case 'denied':
      return n % 2 === 0
        ? proxiedGet({
            proxyPort: opts.proxyPort,
            url: `http://${DENIED_HOST}:${opts.httpPort}/x`,
            expect: 403,
          })
        : deniedConnect(opts, DENIED_HOST);
    case 'bulk':
      return n % 2 === 0
        ? proxiedGet({
            proxyPort: opts.proxyPort,
            url: `http://${origin}/medium`,
            expect: 200,
            expectBytes: MEDIUM_BYTES,
          })
        : tunnelDownload(opts, '/medium', MEDIUM_BYTES);
  }
}

function emptyInterval(interval: number): SoakInterval {
  return { interval, ok: {}, errors: {}, skipped: {}, errorKinds: {} };
}

async function soak(): Promise<void> {
  const kinds = Object.keys(SOAK_MIX) as Kind[];
  const inFlight: Record<Kind, number> = { small: 0, tls: 0, denied: 0, bulk: 0 };
  const started: Record<Kind, number> = { small: 0, tls: 0, denied: 0, bulk: 0 };
  const t0 = performance.now();
  let current = emptyInterval(1);
  for (let i = 1; i <= opts.intervals; i++) {
    const end = t0 + i * opts.intervalMs;
    while (performance.now() < end) {
      const elapsedS = (performance.now() - t0) / 1000;
      for (const kind of kinds) {
        const { perSecond, maxInFlight } = SOAK_MIX[kind];
        while (started[kind] < elapsedS * perSecond) {
          started[kind]++;
          if (inFlight[kind] >= maxInFlight) {
            count(current.skipped, kind);
            continue;
          }
          inFlight[kind]++;
          void operation(kind).then((outcome) => {
            inFlight[kind]--;
            // Booked in the interval it finished in.
            if (outcome === 'ok') count(current.ok, kind);
            else {
              count(current.errors, kind);
              count(current.errorKinds, `${kind} ${outcome}`);
            }
          });
        }
      }
      await new Promise((r) => setTimeout(r, TICK_MS)); // the open loop's clock
    }
    // The last interval also gets what was still in flight (each operation has its own timeout).
    while (i === opts.intervals && kinds.some((k) => inFlight[k] > 0)) {
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    emit(current);
    current = emptyInterval(i + 1);
  }
}

const next = stdinLines();
emit('ready');
if ((await next()) === 'go') await soak();
while ((await next()) !== null);
agent.destroy();
process.exit(0);
