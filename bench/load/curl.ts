/**
 * @module bench/load/curl
 * Scenario (b)'s load generator: one `curl` download of /bulk (100 MiB) to /dev/null, through the
 * proxy (`-x`, plain HTTP or https:// through a CONNECT tunnel) or direct (`--resolve` to
 * 127.0.0.1), reporting curl's own speed. Proxy variables from the environment are never used.
 */
import { benchError, BENCH_ERRORS } from '../errors.js';
import type { ProcSet } from '../procs.js';

export interface CurlOptions {
  procs: ProcSet;
  curlBin: string;
  core: number | undefined;
  scheme: 'http' | 'https';
  host: string;
  port: number;
  path: string;
  caFile: string;
  /** undefined for the direct run. */
  proxyPort: number | undefined;
  expectBytes: number;
}

export interface CurlResult {
  bytes: number;
  bytesPerS: number;
  seconds: number;
}

export async function runCurl(o: CurlOptions): Promise<CurlResult> {
  const via =
    o.proxyPort === undefined
      ? ['--noproxy', '*', '--resolve', `${o.host}:${o.port}:127.0.0.1`]
      : ['-x', `http://127.0.0.1:${o.proxyPort}`];
  const argv = [
    o.curlBin,
    '-sS',
    '-o',
    '/dev/null',
    '--cacert',
    o.caFile,
    '-w',
    '%{http_code} %{size_download} %{speed_download} %{time_total}',
    ...via,
    `${o.scheme}://${o.host}:${o.port}${o.path}`,
  ];
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/_proxy$/i.test(k)) delete env[k];
  const r = await o.procs.run('curl', argv, 120_000, { core: o.core, env });
  const [status, size, speed, total] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || status !== 200 || size !== o.expectBytes) {
    throw benchError(
      BENCH_ERRORS.PROCESS_FAILED,
      `curl ${o.scheme} ${o.proxyPort ?? 'direct'}: exit ${r.code}, status ${status}, ${size} bytes: ${r.stderr.trim()}`,
    );
  }
  return { bytes: size, bytesPerS: speed ?? Number.NaN, seconds: total ?? Number.NaN };
}
