/**
 * @module config/yaml-source
 * cordon.yaml text → plain data, keeping the parsed document so any problem found later (by zod or
 * a cross-field check) can be located at a line. Also the shared path helpers (`formatPath`,
 * `valueAt`). Pure; the caller reads the file.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { errorMessage } from '../errors.js';
import { CONFIG_ERRORS, type ConfigIssue } from './errors.js';

/** A YAML path as zod reports it: keys and array indexes. */
export type YamlPath = readonly PropertyKey[];

export interface YamlSource {
  /** The document as plain data; undefined when the YAML itself is broken (see `issues`). */
  readonly data: unknown;
  /** YAML syntax problems (duplicate keys, bad indentation, ...). */
  readonly issues: readonly ConfigIssue[];
  /**
   * The 1-based line of the node at `path`, or of its nearest ancestor that exists. With `key`, the
   * line of that key inside the map at `path` (for unknown-key errors).
   */
  lineOf(path: YamlPath, key?: string): number | undefined;
}

// Aliases expand on conversion; a small budget stops "billion laughs" documents.
const MAX_ALIAS_COUNT = 100;

/** Parse YAML text; never throws. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : counter.linePos(offset).line;
  const issues: ConfigIssue[] = doc.errors.map((e) => ({
    file,
    line: e.linePos?.[0].line,
    message: `YAML: ${firstLine(e.message)}`,
    fix: 'correct the YAML syntax at this line (indentation, quotes, brackets, duplicate keys)',
    code: CONFIG_ERRORS.yaml,
  }));
  let data: unknown;
  if (issues.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
    } catch (e: unknown) {
      issues.push({ file, message: `YAML: ${errorMessage(e)}`, code: CONFIG_ERRORS.yaml });
    }
  }
  return {
    data,
    issues,
    lineOf(path, key) {
      const { node, keyNode } = locate(doc.contents, path, key);
      return lineAt((keyNode ?? node)?.range?.[0]);
    },
  };
}

/** The YAML library's message without its own " at line N, column M:" and code excerpt. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function locate(
  root: Node | null | undefined,
  path: YamlPath,
  key: string | undefined,
): { node: Node | undefined; keyNode: Node | undefined } {
  let node: Node | undefined = root ?? undefined;
  let keyNode: Node | undefined;
  for (const seg of path) {
    const child = childOf(node, seg);
    if (child === undefined) return { node, keyNode: undefined };
    // A key with an empty value (`http:`) has no value node; point at the key.
    node = child.value ?? child.key;
    keyNode = undefined;
  }
  if (key !== undefined) keyNode = childOf(node, key)?.key;
  return { node, keyNode };
}

function childOf(node: Node | undefined, seg: PropertyKey): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
    if (pair === undefined) return undefined;
    return { key: pair.key as Node, value: (pair.value as Node | null) ?? undefined };
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg] as Node | null | undefined;
    return item ? { value: item } : undefined;
  }
  return undefined;
}

const PLAIN_KEY = /^[A-Za-z_][\w-]*$/;

/** `https.allow[2]`, `groups[0].clients[1]`, `dns.hosts["a.test"]`. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      out += PLAIN_KEY.test(key) ? `${out === '' ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** The raw value at `path` in parsed data, or undefined. */
export function valueAt(data: unknown, path: YamlPath): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}
