/**
 * @module bench/template
 * Fills `${NAME}` placeholders in the config templates under bench/config/. A placeholder without a
 * value is an error, so a template and its caller cannot drift apart silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchError, BENCH_ERRORS } from './errors.js';

export function renderTemplate(text: string, values: Record<string, string | number>): string {
  return text.replace(/\$\{([A-Z_]+)\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined)
      throw benchError(BENCH_ERRORS.TEMPLATE, `no value for \${${name}} in a bench template`);
    return String(v);
  });
}

/** Read bench/config/NAME and fill it in. */
export function renderConfig(root: string, name: string, values: Record<string, string | number>): string {
  return renderTemplate(readFileSync(join(root, 'bench/config', name), 'utf8'), values);
}
