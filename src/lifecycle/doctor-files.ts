/**
 * @module lifecycle/doctor-files
 * The readers `doctor` uses: files under an optional root, INI values (pip, git, npm), YAML keys
 * (conda) and kernelspec discovery. Reads only; never writes, never touches the network.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../errors.js';

/** A file read under the doctor's root: its path as the instance sees it, and its text. */
export interface FoundFile {
  path: string;
  text: string;
}

/** Read `path` under `root`; undefined when it does not exist or cannot be read. */
export function readUnder(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

/** Every one of `paths` (instance paths) that exists under `root`, in the order given. */
export function readAll(root: string, paths: readonly string[]): FoundFile[] {
  const found: FoundFile[] = [];
  for (const path of paths) {
    const text = readUnder(root, path);
    if (text !== undefined) found.push({ path, text });
  }
  return found;
}

/**
 * The last value of `key` in `[section]` of an INI-style file (pip.conf, gitconfig, npmrc; use
 * section '' for keys before any header). Section and key names compare case-insensitively, as git
 * does; `[http "https://host"]` is a subsection, not `[http]`.
 */
export function iniValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  let value: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      current = (header[1] ?? '').trim().toLowerCase();
      continue;
    }
    const pair = /^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$/.exec(line);
    if (pair !== null && current === section && (pair[1] ?? '').toLowerCase() === key) value = pair[2];
  }
  return value;
}

/** `proxy_servers` of a .condarc, or an error text when the file does not parse. */
export function condaProxyServers(text: string): { http?: string; https?: string } | string {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e: unknown) {
    return `does not parse as YAML: ${errorMessage(e)}`;
  }
  if (typeof doc !== 'object' || doc === null || !('proxy_servers' in doc)) return {};
  const servers = doc.proxy_servers;
  if (typeof servers !== 'object' || servers === null) return {};
  const { http, https } = servers as Record<string, unknown>;
  return {
    ...(typeof http === 'string' ? { http } : {}),
    ...(typeof https === 'string' ? { https } : {}),
  };
}

function listDir(root: string, dir: string): string[] {
  try {
    return readdirSync(join(root, dir)).sort();
  } catch {
    return [];
  }
}

/** Where Jupyter looks for kernelspecs on a SageMaker notebook instance (and on conda images). */
export function kernelDirs(root: string, home: string): string[] {
  const prefixes = [`${home}/anaconda3`, '/opt/conda'];
  const dirs: string[] = [];
  for (const prefix of prefixes) {
    dirs.push(`${prefix}/share/jupyter/kernels`);
    for (const env of listDir(root, `${prefix}/envs`))
      dirs.push(`${prefix}/envs/${env}/share/jupyter/kernels`);
  }
  dirs.push(
    `${home}/.local/share/jupyter/kernels`,
    '/usr/local/share/jupyter/kernels',
    '/usr/share/jupyter/kernels',
  );
  return dirs;
}

/** Every kernel.json under the kernel directories, as instance paths. */
export function findKernelSpecs(root: string, home: string): FoundFile[] {
  const paths = kernelDirs(root, home).flatMap((dir) =>
    listDir(root, dir).map((name) => `${dir}/${name}/kernel.json`),
  );
  return readAll(root, paths);
}

/** The `env` object of a kernel.json, or an error text. */
export function kernelEnv(text: string): Record<string, unknown> | string {
  try {
    const spec: unknown = JSON.parse(text);
    if (typeof spec !== 'object' || spec === null) return 'is not a JSON object';
    const env = (spec as { env?: unknown }).env;
    return typeof env === 'object' && env !== null ? (env as Record<string, unknown>) : {};
  } catch (e: unknown) {
    return `does not parse as JSON: ${errorMessage(e)}`;
  }
}
