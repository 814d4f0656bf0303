/**
 * @module config/policy-edit-yaml
 * Adds an entry to, or removes one from, an `allow:` list in cordon.yaml text, keeping every other
 * byte: the node is found with yaml's Document API and the edit is spliced into the text at its
 * source range, so comments, order, quoting and spacing elsewhere stay exactly as written. When the
 * shape is unusual (no list yet, a list about to become empty), the Document API makes the edit and
 * re-serialises (comments and order kept, spacing normalised). Every result is re-parsed and checked
 * against the intended data. Pure: text in, text out.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Scalar, type YAMLSeq } from 'yaml';

export type YamlKeyPath = readonly (string | number)[];

const PLAIN_SAFE = /^\.?[a-z0-9][a-z0-9._-]*(\/\d+)?$/;

/** An entry as YAML text: plain when that is unambiguous, else double-quoted (`*.x` would be an alias). */
function yamlScalar(entry: string): string {
  return PLAIN_SAFE.test(entry) ? entry : JSON.stringify(entry);
}

function parse(text: string): Document.Parsed {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`cordon.yaml does not parse: ${doc.errors[0]?.message ?? ''}`);
  return doc;
}

/** The index of the group named `name` in `groups:`, or -1. */
export function groupIndex(text: string, name: string): number {
  const groups = parse(text).toJS() as { groups?: { name?: unknown }[] } | null;
  return (groups?.groups ?? []).findIndex((g) => g.name === name);
}

/** The strings at `path` (e.g. `['groups', 0, 'https', 'allowFiles']`), or [] when absent. */
export function stringsAt(text: string, path: YamlKeyPath): string[] {
  const node: unknown = parse(text).getIn(path);
  if (!isSeq(node)) return [];
  return node.items.flatMap((i) => (isScalar(i) && typeof i.value === 'string' ? [i.value] : []));
}

function scalarItems(seq: YAMLSeq): Scalar[] {
  return seq.items.filter((i): i is Scalar => isScalar(i));
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i === -1 ? text.length : i;
}

/** Splice an append into the list's source text; null when the shape calls for the Document API. */
function spliceAdd(text: string, seq: YAMLSeq, entry: string): string | null {
  const items = scalarItems(seq);
  const last = items[items.length - 1];
  if (seq.flow) {
    const end = seq.range?.[1];
    if (end === undefined || text[end - 1] !== ']') return null;
    if (last?.range == null)
      return items.length === 0
        ? `${text.slice(0, end - 1)}${yamlScalar(entry)}${text.slice(end - 1)}`
        : null;
    const at = last.range[1];
    return `${text.slice(0, at)}, ${yamlScalar(entry)}${text.slice(at)}`;
  }
  if (last?.range == null) return null;
  const start = lineStart(text, last.range[0]);
  const prefix = text.slice(start, last.range[0]);
  if (!/^\s*-\s+$/.test(prefix)) return null;
  const at = lineEnd(text, last.range[1]);
  return `${text.slice(0, at)}\n${prefix}${yamlScalar(entry)}${text.slice(at)}`;
}

/**
 * Splice the missing keys of `path` into the deepest block map that exists, one line each, at that
 * map's indentation: `https:` / `  allow: [entry]`. Null when that map is a flow map or empty.
 */
function spliceCreate(text: string, doc: Document.Parsed, path: YamlKeyPath, entry: string): string | null {
  let depth = path.length - 1;
  while (depth > 0 && doc.getIn(path.slice(0, depth)) === undefined) depth -= 1;
  const map: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth));
  if (!isMap(map) || map.flow) return null;
  const first = map.items[0]?.key;
  const last = map.items[map.items.length - 1];
  const lastEnd =
    isScalar(last?.value) || isMap(last?.value) || isSeq(last?.value) ? last.value.range?.[1] : undefined;
  if (!isScalar(first) || first.range == null || lastEnd === undefined) return null;
  const prefix = text.slice(lineStart(text, first.range[0]), first.range[0]);
  if (!/^[\s-]*$/.test(prefix)) return null;
  const indent = ' '.repeat(prefix.length);
  const keys = path.slice(depth);
  if (keys.some((k) => typeof k !== 'string')) return null;
  const lines = keys.map((k, i) => {
    const pad = `${indent}${'  '.repeat(i)}${String(k)}:`;
    return i === keys.length - 1 ? `${pad} [${yamlScalar(entry)}]` : pad;
  });
  // After the map's last value, skipping the rest of that line (a trailing comment).
  const at = lineEnd(text, Math.max(lastEnd - 1, 0));
  return `${text.slice(0, at)}\n${lines.join('\n')}${text.slice(at)}`;
}

/** Splice a removal out of the list's source text; null when the shape calls for the Document API. */
function spliceRemove(text: string, seq: YAMLSeq, index: number): string | null {
  const items = scalarItems(seq);
  const item = items[index];
  if (item?.range == null || items.length < 2) return null;
  const [from, to] = item.range;
  if (seq.flow) {
    const after = /^\s*,\s*/.exec(text.slice(to));
    if (after !== null) return text.slice(0, from) + text.slice(to + after[0].length);
    const before = /,\s*$/.exec(text.slice(0, from));
    return before === null ? null : text.slice(0, before.index) + text.slice(to);
  }
  const start = lineStart(text, from);
  if (!/^\s*-\s+$/.test(text.slice(start, from))) return null;
  const end = lineEnd(text, to);
  return text.slice(0, start) + text.slice(Math.min(end + 1, text.length));
}

/** The splice if it parses to exactly what the Document API edit means, else the re-serialised document. */
function settle(spliced: string | null, edited: Document.Parsed): string {
  if (spliced !== null) {
    const check = parseDocument(spliced, { uniqueKeys: true });
    if (check.errors.length === 0 && isDeepStrictEqual(check.toJS(), edited.toJS())) return spliced;
  }
  return edited.toString({ flowCollectionPadding: false });
}

/** `text` with `entry` appended to the list at `path`; unchanged when the entry is already there. */
export function addAllowEntry(text: string, path: YamlKeyPath, entry: string): string {
  const doc = parse(text);
  const node: unknown = doc.getIn(path);
  if (node === undefined || node === null) {
    const spliced = node === undefined ? spliceCreate(text, doc, path, entry) : null;
    doc.setIn(path, doc.createNode([entry], { flow: true }));
    return settle(spliced, doc);
  }
  if (!isSeq(node)) throw new Error(`${path.join('.')} is not a list`);
  if (scalarItems(node).some((i) => i.value === entry)) return text;
  const spliced = spliceAdd(text, node, entry);
  node.add(doc.createNode(entry));
  return settle(spliced, doc);
}

/** `text` without `entry` in the list at `path`; null when it is not there. */
export function removeAllowEntry(text: string, path: YamlKeyPath, entry: string): string | null {
  const doc = parse(text);
  const node: unknown = doc.getIn(path);
  if (!isSeq(node)) return null;
  const index = scalarItems(node).findIndex((i) => i.value === entry);
  if (index === -1) return null;
  const spliced = spliceRemove(text, node, index);
  const target = scalarItems(node)[index];
  node.items = node.items.filter((i) => i !== target);
  if (node.items.length === 0) node.flow = true;
  return settle(spliced, doc);
}

/** True when `path` names an existing map or nothing (so a list can be created there). */
export function canHoldList(text: string, path: YamlKeyPath): boolean {
  const parent: unknown = parse(text).getIn(path.slice(0, -1));
  return parent === undefined || parent === null || isMap(parent);
}
