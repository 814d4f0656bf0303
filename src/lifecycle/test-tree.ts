/**
 * @module lifecycle/test-tree
 * Test support: a fake SageMaker notebook instance as a directory tree (kernelspecs, a .condarc and a
 * pip.conf with other keys, bashrc), running a generated script against it with real bash, and
 * snapshotting the tree. Only tests import this.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const HOME = '/home/ec2-user';
export const PY_KERNEL = `${HOME}/anaconda3/envs/python3/share/jupyter/kernels/python3/kernel.json`;
export const R_KERNEL = '/usr/local/share/jupyter/kernels/ir/kernel.json';
export const USER_KERNEL = `${HOME}/.local/share/jupyter/kernels/mine/kernel.json`;

/** Files of the fake instance before the script runs, by instance path. */
export const INSTANCE_FILES: Record<string, string> = {
  [PY_KERNEL]: JSON.stringify({
    argv: ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    display_name: 'conda_python3',
    language: 'python',
    env: { FOO: 'bar' },
  }),
  [R_KERNEL]: '{"argv":["R","--slave"],"display_name":"R","language":"R","env":null}\n',
  [USER_KERNEL]: '{"argv":["python3"],"display_name":"Mine","language":"python"}\n',
  [`${HOME}/.condarc`]:
    'channels:\n  - conda-forge\nproxy_servers:\n  http: http://old:1\n  https: http://old:1\nauto_activate_base: false\n',
  '/etc/pip.conf': '[global]\ntimeout = 60\nproxy = http://old:1\n\n[install]\nuser = no\n',
  '/etc/bashrc': '# System-wide bashrc\nalias ll="ls -l"\n',
  '/etc/gitconfig': '[user]\n\tname = Notebook\n',
};

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write instance files under `root`. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A fake instance under a new temp root. */
export function makeInstance(): string {
  const root = tempDir('cordon-lifecycle-');
  writeTree(root, INSTANCE_FILES);
  return root;
}

/** Run `script` with bash (the script's root is baked in); resolves to its stdout. */
export async function runScript(
  script: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; stderr: string }> {
  const dir = tempDir('cordon-script-');
  const file = join(dir, 'on-start.sh');
  writeFileSync(file, script);
  return run('bash', [file], { env, timeout: 60_000 });
}

/** Every file under `root` as instance path → `mode text`, for comparing runs. */
export function snapshot(root: string, dir = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(join(root, dir)).sort()) {
    const path = `${dir}/${name}`;
    const st = statSync(join(root, path));
    if (st.isDirectory()) for (const [p, v] of snapshot(root, path)) out.set(p, v);
    else out.set(path, `${(st.mode & 0o777).toString(8)} ${readFileSync(join(root, path), 'utf8')}`);
  }
  return out;
}

/** Read an instance file under `root`. */
export function readInstance(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** The environment a PAM session would get from the tree's /etc/environment. */
export function pamEnvironment(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const line of readInstance(root, '/etc/environment').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined) env[m[1]] = m[2];
  }
  return env;
}
