/**
 * @module gateway/watch
 * Watches the config file and every allowlist file it references for changes. Watches their
 * folders, not the files, so editors that save by rename and `mv` of a new file are seen; changes
 * are debounced so a half-written burst of events triggers one reload.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FileWatcher {
  /** Replace the watched set (after a reload changed the allowlist files). */
  update(files: readonly string[]): void;
  close(): void;
}

const DEBOUNCE_MS = 150;

export function watchFiles(files: readonly string[], onChange: () => void): FileWatcher {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, DEBOUNCE_MS);
  };
  const update = (list: readonly string[]): void => {
    for (const w of watchers) w.close();
    const byDir = new Map<string, Set<string>>();
    for (const f of list) {
      const names = byDir.get(dirname(f)) ?? new Set<string>();
      names.add(basename(f));
      byDir.set(dirname(f), names);
    }
    watchers = [...byDir].map(([dir, names]) => {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) fire();
      });
      w.on('error', () => w.close());
      return w;
    });
  };
  update(files);
  return {
    update,
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}
