/**
 * @module config/import-write
 * Writes an import's cordon.yaml and allowlist files into a folder, each atomically (temp file, then
 * link or rename), allowlists before cordon.yaml so a watcher never sees a config whose files are
 * missing. Refuses to overwrite existing files unless `force`.
 */
import { existsSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CordonError, errorCode } from '../errors.js';
import { CONFIG_ERRORS } from './errors.js';
import type { SquidImport } from './import-squid.js';

export interface WriteImportOptions {
  /** Replace existing files (default false: refuse and name them). */
  readonly force?: boolean;
}

/** Write the import into `outDir` (created if needed); returns the absolute paths written. */
export function writeImport(result: SquidImport, outDir: string, opts: WriteImportOptions = {}): string[] {
  const dir = resolve(outDir);
  const targets = [...result.files, { name: 'cordon.yaml', content: result.yaml }].map((f) => ({
    path: join(dir, f.name),
    content: f.content,
  }));
  const existing = targets.filter((t) => existsSync(t.path)).map((t) => t.path);
  if (existing.length > 0 && opts.force !== true) throw exists(existing);
  mkdirSync(dir, { recursive: true });
  for (const t of targets) writeAtomically(t.path, t.content, opts.force === true);
  return targets.map((t) => t.path);
}

function exists(paths: readonly string[]): CordonError {
  return new CordonError(
    CONFIG_ERRORS.importExists,
    `refusing to overwrite ${paths.join(', ')}: choose another --out folder or pass --force`,
  );
}

function writeAtomically(path: string, content: string, replace: boolean): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { flag: 'wx' });
  try {
    if (replace) renameSync(tmp, path);
    else {
      // link() fails with EEXIST instead of replacing, so a file created meanwhile is never clobbered.
      try {
        linkSync(tmp, path);
      } catch (e: unknown) {
        if (errorCode(e) === 'EEXIST') throw exists([path]);
        throw e;
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}
