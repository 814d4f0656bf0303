/**
 * @module config/errors
 * The error codes of the config part and `ConfigError`, which carries every problem found in one
 * load (file, line, YAML path, bad value, fix) so an operator fixes them all in one pass.
 * Formatting only; no I/O.
 */
import { CordonError } from '../errors.js';

/** Every code the config part throws. */
export const CONFIG_ERRORS = {
  /** A config, allowlist or squid.conf file could not be read. */
  read: 'CORDON_CONFIG_READ',
  /** The YAML itself does not parse (syntax, duplicate keys, bad indentation). */
  yaml: 'CORDON_CONFIG_YAML',
  /** A key or value breaks the schema or a cross-field rule (CIDRs, listen, learnUntil, ...). */
  invalid: 'CORDON_CONFIG_INVALID',
  /** An allowlist entry has the wrong syntax (URL, port, wildcard in the middle, ...). */
  allowlist: 'CORDON_CONFIG_ALLOWLIST',
  /** An allowlist entry would cover a whole public suffix (`.com`, `.co.uk`, `.github.io`). */
  publicSuffix: 'CORDON_CONFIG_PUBLIC_SUFFIX',
  /** `writeImport` would overwrite an existing file and `force` was not given. */
  importExists: 'CORDON_CONFIG_IMPORT_EXISTS',
} as const;

export type ConfigErrorCode = (typeof CONFIG_ERRORS)[keyof typeof CONFIG_ERRORS];

/** One problem, located as precisely as the input allows. */
export interface ConfigIssue {
  /** Absolute path of the file, or `<built-in>`. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number | undefined;
  /** YAML path such as `https.allow[2]` or `groups[0].clients[1]`. */
  readonly path?: string | undefined;
  /** The offending value as written (omitted when the value is missing). */
  readonly value?: unknown;
  readonly message: string;
  /** What to write instead. */
  readonly fix?: string | undefined;
  /** The code this issue alone would carry; defaults to `CORDON_CONFIG_INVALID`. */
  readonly code?: ConfigErrorCode | undefined;
}

const MAX_VALUE_CHARS = 80;

/** A value as it appears in a message: JSON, truncated. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** `file:line path: message (got VALUE) — fix: ...` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const path = issue.path ? ` ${issue.path}` : '';
  const got = 'value' in issue && issue.value !== undefined ? ` (got ${showValue(issue.value)})` : '';
  const fix = issue.fix ? ` — fix: ${issue.fix}` : '';
  return `${where}${path}: ${issue.message}${got}${fix}`;
}

/** The code of a batch: the shared one when all issues agree, else `CORDON_CONFIG_INVALID`. */
function batchCode(issues: readonly ConfigIssue[]): ConfigErrorCode {
  const codes = new Set(issues.map((i) => i.code ?? CONFIG_ERRORS.invalid));
  const [only] = codes;
  return codes.size === 1 && only !== undefined ? only : CONFIG_ERRORS.invalid;
}

/** Every problem of one load, one per line in the message. */
export class ConfigError extends CordonError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { code?: ConfigErrorCode; cause?: unknown }) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const message = `invalid configuration (${count}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`;
    super(options?.code ?? batchCode(issues), message, { cause: options?.cause });
    this.name = 'ConfigError';
    this.issues = Object.freeze([...issues]);
  }
}
