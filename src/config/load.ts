/**
 * @module config/load
 * Loads cordon.yaml once per (re)load: YAML with line numbers → zod schema (defaults applied) →
 * cross-field checks → allowlist files read and validated → every problem collected into one
 * `ConfigError`; on success the config (paths made absolute), the `PolicySpec` for the policy part,
 * the files to watch and the lint warnings, all deep-frozen. Reads files; never touches sockets.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { errorCode } from '../errors.js';
import type { AllowEntry, GroupSpec, PolicySpec, Scheme, SchemeSpec } from '../policy/types.js';
import { scanAllowlist, validateAllowEntry, type ScannedAllowlist } from './allowlist.js';
import { crossCheck } from './checks.js';
import { BUILTIN_CONFIG_FILE, BUILTIN_CONFIG_YAML } from './defaults.js';
import { CONFIG_ERRORS, ConfigError, type ConfigIssue } from './errors.js';
import { lintConfig, type LintFinding } from './lint.js';
import { configSchema, type CordonConfig } from './schema.js';
import { formatPath, parseYamlSource, valueAt, type YamlPath, type YamlSource } from './yaml-source.js';
import { mapZodIssue } from './zod-issues.js';

export interface LoadedConfig {
  /** Validated, defaults applied, deep-frozen; allowFiles, log and storage paths are absolute. */
  readonly config: CordonConfig;
  /** Groups in order, then `default` (the top-level rules); inheriting groups get top-level entries last. */
  readonly policySpec: PolicySpec;
  /** Absolute path of cordon.yaml; null for the built-in default. */
  readonly path: string | null;
  /** Absolute paths of the config file and every allowlist file, for the reload watcher. */
  readonly files: readonly string[];
  readonly warnings: readonly LintFinding[];
}

export interface LoadTextOptions {
  /** Absolute path the text came from (used in messages and entry sources), or `<built-in>`. */
  readonly file: string;
  /** Folder that relative paths in the config are resolved against. */
  readonly baseDir: string;
}

/** Load a cordon.yaml file, or the built-in default (against the current folder) with no path. */
export function loadConfig(path?: string): LoadedConfig {
  if (path === undefined) {
    return loadConfigText(BUILTIN_CONFIG_YAML, { file: BUILTIN_CONFIG_FILE, baseDir: process.cwd() });
  }
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    throw new ConfigError(
      [
        {
          file,
          message: readFailure(e, 'config file'),
          fix: 'check the --config path',
          code: CONFIG_ERRORS.read,
        },
      ],
      { cause: e },
    );
  }
  return loadConfigText(text, { file, baseDir: dirname(file) });
}

/** Validate config text; throws one `ConfigError` listing every problem found. */
export function loadConfigText(text: string, opts: LoadTextOptions): LoadedConfig {
  const { file } = opts;
  const source = parseYamlSource(text, file);
  const data = source.data;
  if (data === undefined) throw new ConfigError(source.issues);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const message = 'the file must be a mapping of keys (listen:, clients:, http:, https:, ...)';
    throw new ConfigError([{ file, line: 1, value: data, message, fix: 'start from examples/cordon.yaml' }]);
  }
  const parsed = configSchema.safeParse(data);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.flatMap((i) => mapZodIssue(i, { file, source, data, schema: configSchema }));
  issues.push(...crossCheck(data, file, source));
  const lists = readAllowLists(data, opts, source);
  issues.push(...lists.issues);
  if (issues.length > 0 || !parsed.success) throw new ConfigError(sortIssues(issues, file));

  const config = resolvePaths(parsed.data, opts.baseDir);
  const policySpec = buildPolicySpec(config, data, lists.entries);
  const path = file === BUILTIN_CONFIG_FILE ? null : file;
  const warnings = lintConfig({ config, policySpec, path });
  const files = path === null ? lists.files : [path, ...lists.files];
  return deepFreeze({ config, policySpec, path, files, warnings });
}

function readFailure(e: unknown, what: string): string {
  const code = errorCode(e);
  if (code === 'ENOENT') return `${what} not found`;
  if (code === 'EISDIR') return `${what} is a folder, not a file`;
  if (code === 'EACCES' || code === 'EPERM') return `${what} is not readable (permission denied)`;
  return `cannot read the ${what} (${code ?? 'unknown error'})`;
}

interface AllowLists {
  /** Entries per scheme section, keyed by its YAML path (`https`, `groups[0].http`). */
  readonly entries: Map<string, AllowEntry[]>;
  readonly files: string[];
  readonly issues: ConfigIssue[];
}

function sectionPaths(data: unknown): YamlPath[] {
  const paths: YamlPath[] = [['http'], ['https']];
  const groups = valueAt(data, ['groups']);
  if (Array.isArray(groups))
    groups.forEach((_, i) => paths.push(['groups', i, 'http'], ['groups', i, 'https']));
  return paths;
}

type FileRead = { ok: true; list: ScannedAllowlist } | { ok: false; error: unknown };

/** Inline entries then allowlist files, for every scheme section, validated with the same rules. */
function readAllowLists(data: unknown, opts: LoadTextOptions, source: YamlSource): AllowLists {
  const out: AllowLists = { entries: new Map(), files: [], issues: [] };
  const configName = opts.file === BUILTIN_CONFIG_FILE ? opts.file : basename(opts.file);
  const reads = new Map<string, FileRead>();
  for (const section of sectionPaths(data)) {
    const entries: AllowEntry[] = [];
    forEachString(data, [...section, 'allow'], (value, at) => {
      const checked = validateAllowEntry(value, `${configName}:${formatPath(at)}`);
      if (checked.ok) entries.push(checked.entry);
      else
        out.issues.push({
          file: opts.file,
          line: source.lineOf(at),
          path: formatPath(at),
          value,
          ...checked,
        });
    });
    forEachString(data, [...section, 'allowFiles'], (value, at) => {
      const abs = resolve(opts.baseDir, value);
      let read = reads.get(abs);
      if (read === undefined) {
        read = readAllowFile(abs, opts.baseDir);
        reads.set(abs, read);
        if (read.ok) {
          out.files.push(abs);
          out.issues.push(...read.list.issues);
        }
      }
      if (read.ok) entries.push(...read.list.entries);
      else {
        out.issues.push({
          file: opts.file,
          line: source.lineOf(at),
          path: formatPath(at),
          value,
          message: `${readFailure(read.error, 'allowlist file')}: ${abs}`,
          fix: "create the file or correct the path (relative paths start at the config file's folder)",
          code: CONFIG_ERRORS.read,
        });
      }
    });
    out.entries.set(formatPath(section), entries);
  }
  return out;
}

function readAllowFile(abs: string, baseDir: string): FileRead {
  try {
    return { ok: true, list: scanAllowlist(readFileSync(abs, 'utf8'), abs, displayName(abs, baseDir)) };
  } catch (e: unknown) {
    return { ok: false, error: e };
  }
}

/** What entry sources show: the path relative to the config folder when inside it, else absolute. */
function displayName(abs: string, baseDir: string): string {
  const rel = relative(baseDir, abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function forEachString(data: unknown, path: YamlPath, fn: (value: string, at: YamlPath) => void): void {
  const list = valueAt(data, path);
  if (Array.isArray(list)) list.forEach((v, i) => typeof v === 'string' && fn(v, [...path, i]));
}

/** Config-file issues first in line order, then each allowlist file's in line order. */
function sortIssues(issues: ConfigIssue[], configFile: string): ConfigIssue[] {
  const fileRank = new Map<string, number>([[configFile, 0]]);
  for (const i of issues) if (!fileRank.has(i.file)) fileRank.set(i.file, fileRank.size);
  const rank = (i: ConfigIssue): [number, number] => [fileRank.get(i.file) ?? 0, i.line ?? Infinity];
  return [...issues].sort((a, b) => {
    const [fa, la] = rank(a);
    const [fb, lb] = rank(b);
    return fa - fb || la - lb;
  });
}

function resolvePaths(c: CordonConfig, baseDir: string): CordonConfig {
  const abs = (p: string): string => resolve(baseDir, p);
  const keepStdout = (p: string | null): string | null => (p === null || p === '-' ? p : abs(p));
  const section = <T extends { allowFiles: string[] }>(s: T): T => ({
    ...s,
    allowFiles: s.allowFiles.map(abs),
  });
  return {
    ...c,
    http: section(c.http),
    https: section(c.https),
    groups: c.groups.map((g) => ({ ...g, http: section(g.http), https: section(g.https) })),
    log: { ...c.log, access: keepStdout(c.log.access), json: keepStdout(c.log.json) },
    storage: { ...c.storage, dir: abs(c.storage.dir) },
  };
}

/**
 * Groups in config order, then `default` with the top-level rules. A group's mode defaults to the
 * top-level one; with `inherit` it also gets the top-level entries (after its own) and, when it sets
 * no ports of its own for a scheme, the top-level ports.
 */
function buildPolicySpec(c: CordonConfig, data: unknown, lists: Map<string, AllowEntry[]>): PolicySpec {
  const top: Record<Scheme, SchemeSpec> = {
    http: { ports: c.http.ports, allow: lists.get('http') ?? [] },
    https: { ports: c.https.ports, allow: lists.get('https') ?? [] },
  };
  const groups: GroupSpec[] = c.groups.map((g, i) => {
    const scheme = (s: Scheme): SchemeSpec => {
      const ownPorts = valueAt(data, ['groups', i, s, 'ports']) !== undefined;
      const own = lists.get(formatPath(['groups', i, s])) ?? [];
      return {
        ports: g.inherit && !ownPorts ? top[s].ports : g[s].ports,
        allow: g.inherit ? [...own, ...top[s].allow] : own,
      };
    };
    return {
      name: g.name,
      clients: g.clients,
      mode: g.mode ?? c.mode,
      learnUntil: g.mode === undefined ? (g.learnUntil ?? c.learnUntil) : g.learnUntil,
      http: scheme('http'),
      https: scheme('https'),
    };
  });
  groups.push({ name: 'default', clients: c.clients, mode: c.mode, learnUntil: c.learnUntil, ...top });
  return { clients: c.clients, groups };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
