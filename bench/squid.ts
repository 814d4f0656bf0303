/**
 * @module bench/squid
 * Runs Debian's squid as the baseline: writes its config from bench/config/squid.conf.tmpl with its
 * own hosts file and allowlists in a fresh temp folder, checks it with `squid -k parse`, starts it as
 * a foreground process (`squid -N -f conf`) pinned to the server core, and waits for its port.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchError, BENCH_ERRORS } from './errors.js';
import { ORIGIN_HOST, type Origin } from './origin.js';
import { freePort, spawnListening, type ProcSet } from './procs.js';
import { renderConfig } from './template.js';
import { prlimitPrefix, squidMaxFd } from './tuning.js';
import type { ProxyTuning, ProxyUnderTest } from './types.js';

export interface SquidOptions {
  procs: ProcSet;
  root: string;
  /** Parent temp folder; squid gets a new subfolder per start. */
  dir: string;
  origin: Origin;
  squidBin: string;
  core: number | undefined;
  /** A raised or lowered descriptor limit, for scenarios e–g. */
  tuning?: ProxyTuning;
}

function writeFiles(o: SquidOptions, dir: string, port: number): string {
  mkdirSync(dir, { recursive: true });
  // squid drops to its own user (`proxy` on Debian) before it opens the logs in this folder.
  chmodSync(dir, 0o777);
  writeFileSync(join(dir, 'hosts'), `127.0.0.1 ${ORIGIN_HOST}\n`);
  writeFileSync(join(dir, 'allowhttp.txt'), `${ORIGIN_HOST}\n`);
  writeFileSync(join(dir, 'allowhttps.txt'), `${ORIGIN_HOST}\n`);
  const conf = join(dir, 'squid.conf');
  writeFileSync(
    conf,
    renderConfig(o.root, 'squid.conf.tmpl', {
      DIR: dir,
      PROXY_PORT: port,
      HTTP_PORT: o.origin.httpPort,
      HTTPS_PORT: o.origin.httpsPort,
      MAX_FD: squidMaxFd(o.tuning),
    }),
  );
  return conf;
}

function cacheLogTail(dir: string): string {
  const f = join(dir, 'cache.log');
  return existsSync(f) ? readFileSync(f, 'utf8').slice(-2000) : '';
}

export async function startSquid(o: SquidOptions): Promise<ProxyUnderTest> {
  const port = await freePort();
  const dir = join(o.dir, `squid-${port}`);
  const conf = writeFiles(o, dir, port);
  const parsed = await o.procs.run('squid -k parse', [o.squidBin, '-k', 'parse', '-f', conf], 30_000);
  if (parsed.code !== 0) {
    throw benchError(
      BENCH_ERRORS.PROCESS_FAILED,
      `squid rejected ${conf}:\n${parsed.stderr}${parsed.stdout}`,
    );
  }
  const argv = [...prlimitPrefix(o.tuning), o.squidBin, '-N', '-f', conf];
  const proc = await spawnListening(o.procs, 'squid', argv, port, { core: o.core }, (e) =>
    benchError(BENCH_ERRORS.PROCESS_FAILED, `squid did not start:\n${cacheLogTail(dir)}`, e),
  );
  return { name: 'squid', port, pid: proc.pid, proc, dir, stop: () => proc.stop() };
}
