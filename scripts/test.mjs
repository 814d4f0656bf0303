#!/usr/bin/env node
// The test command behind `npm test`: typecheck, lint, format check, then every *.test.ts under
// src/ and test/ (and lab/ when root), then the infra package's tests. Prints node:test's summary.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const onlyUnit = args.has('--only-unit');

function run(cmd, cmdArgs, opts = {}) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${cmdArgs[0] ?? ''} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'fixtures') out.push(...findTests(p));
    } else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Install Debian packages the tests use when their command is missing (CI runs as root on Debian). */
function ensureCommands(commands) {
  const missing = Object.entries(commands).filter(
    ([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0,
  );
  if (missing.length === 0) return;
  const pkgs = missing.map(([, pkg]) => pkg);
  console.log(`installing ${pkgs.join(', ')} with apt-get`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

ensureCommands({ curl: 'curl', ip: 'iproute2' });

if (!onlyUnit) {
  run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('npx', ['eslint', '.']);
  run('npx', ['prettier', '--check', '.']);
  run('npx', ['tsc', '-p', 'tsconfig.build.json']);
}

const files = ['src', 'test', 'bench'].flatMap(findTests).sort();
run(process.execPath, ['--import', 'tsx', '--test', '--test-timeout=120000', ...files], {
  env: { ...process.env, NODE_ENV: 'test' },
});

// The lab needs root (network namespaces). Its Debian packages are installed first so apt-get time
// does not count against the lab's own timeout, which covers the whole file.
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const labFiles = findTests('lab');
if (!onlyUnit && labFiles.length > 0) {
  if (isRoot) run(process.execPath, ['--import', 'tsx', 'lab/cli.ts', 'deps']);
  run(process.execPath, ['--import', 'tsx', '--test', '--test-timeout=600000', ...labFiles], {
    env: { ...process.env, NODE_ENV: 'test' },
  });
}

if (!onlyUnit && existsSync('infra/package.json')) {
  if (!existsSync('infra/node_modules')) run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: 'infra' });
  run('npm', ['test'], { cwd: 'infra' });
}
