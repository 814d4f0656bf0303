/**
 * @module bench/tools
 * Makes sure the programs the benchmark runs are there: squid, wrk, curl and taskset from Debian's
 * packages, installed with apt-get when missing (after `apt-get update` if the first try fails).
 * A squid installed here has its system service stopped and disabled: the benchmark runs its own
 * squid in the foreground with its own config, pid file and port.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { benchError, BENCH_ERRORS } from './errors.js';

const TOOLS: readonly { bin: string; pkg: string }[] = [
  { bin: 'squid', pkg: 'squid' },
  { bin: 'wrk', pkg: 'wrk' },
  { bin: 'curl', pkg: 'curl' },
  { bin: 'taskset', pkg: 'util-linux' },
];

/** Absolute path of `bin` on PATH or in the sbin folders (squid lives in /usr/sbin), or null. */
export function which(bin: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir && existsSync(`${dir}/${bin}`)) return `${dir}/${bin}`;
  }
  return null;
}

function aptInstall(pkgs: string[], log: (m: string) => void): void {
  const install = (): boolean =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  log(`installing ${pkgs.join(' ')} with apt-get`);
  if (install()) return;
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  if (!install()) throw benchError(BENCH_ERRORS.TOOL_MISSING, `apt-get install ${pkgs.join(' ')} failed`);
}

/** The system squid service must not keep running beside the benchmark's own squid. */
function stopSystemSquid(log: (m: string) => void): void {
  const quiet = { stdio: 'ignore' } as const;
  if (existsSync('/run/systemd/system')) spawnSync('systemctl', ['disable', '--now', 'squid'], quiet);
  else spawnSync('service', ['squid', 'stop'], quiet);
  log('stopped and disabled the squid system service that the package installed');
}

/** Install whatever is missing; returns the paths of the tools by name. */
export function ensureTools(log: (m: string) => void): Record<string, string> {
  const missing = TOOLS.filter((t) => which(t.bin) === null);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      const pkgs = missing.map((t) => t.pkg).join(' ');
      throw benchError(
        BENCH_ERRORS.TOOL_MISSING,
        `missing ${pkgs}; run as root or: apt-get install -y ${pkgs}`,
      );
    }
    aptInstall(
      missing.map((t) => t.pkg),
      log,
    );
    if (missing.some((t) => t.bin === 'squid')) stopSystemSquid(log);
  }
  const paths: Record<string, string> = {};
  for (const t of TOOLS) {
    const p = which(t.bin);
    if (p === null)
      throw benchError(BENCH_ERRORS.TOOL_MISSING, `${t.bin} not found after installing ${t.pkg}`);
    paths[t.bin] = p;
  }
  return paths;
}

/** `squid -v` first line, `wrk -v` etc., for the report header. */
export function toolVersion(path: string, args: string[]): string {
  try {
    const out = execFileSync(path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0]?.trim() ?? '';
  } catch (e: unknown) {
    // wrk -v prints its version and exits 1
    const out = (e as { stdout?: unknown }).stdout;
    return typeof out === 'string' ? (out.split('\n')[0]?.trim() ?? '') : '';
  }
}
