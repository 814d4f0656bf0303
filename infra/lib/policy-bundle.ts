/**
 * @module infra/policy-bundle
 * Turns a local cordon.yaml into the one document the proxies fetch from SSM or S3: validated with
 * Cordon's own loader first (so a bad policy fails `cdk synth`, not the fleet), then every
 * `allowFiles` list inlined into `allow` (an instance fetches a single object, not a folder).
 * Comments and key order of cordon.yaml are kept. Reads files; creates no resources.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { parseAllowlist } from '../../src/config/allowlist.js';
import { loadConfig } from '../../src/config/load.js';

/** SSM String parameter sizes: Standard up to 4 KB, Advanced up to 8 KB. */
export const SSM_STANDARD_MAX = 4096;
export const SSM_ADVANCED_MAX = 8192;

const text = (node: unknown): string => String(isScalar(node) ? node.value : node);

function inlineSection(section: unknown, baseDir: string): void {
  if (!isMap(section)) return;
  const files = section.get('allowFiles');
  if (!isSeq(files)) return;
  const entries: string[] = [];
  for (const item of files.items) {
    const file = resolve(baseDir, text(item));
    entries.push(...parseAllowlist(readFileSync(file, 'utf8'), file).map((e) => e.value));
  }
  const allow = section.get('allow');
  const existing = isSeq(allow) ? allow.items.map(text) : [];
  section.set('allow', [...new Set([...existing, ...entries])]);
  section.delete('allowFiles');
}

/**
 * The policy document for the proxies: `policyFile` validated (throws Cordon's ConfigError listing
 * every problem) and with allowlist files inlined.
 */
export function bundlePolicy(policyFile: string): string {
  loadConfig(policyFile);
  const baseDir = dirname(resolve(policyFile));
  const doc = parseDocument(readFileSync(policyFile, 'utf8'));
  const root = doc.contents;
  if (!isMap(root))
    throw new Error(`CordonEgress: policyFile ${JSON.stringify(policyFile)} is not a YAML mapping`);
  inlineSection(root.get('http'), baseDir);
  inlineSection(root.get('https'), baseDir);
  const groups = root.get('groups');
  if (isSeq(groups)) {
    for (const group of groups.items) {
      if (!isMap(group)) continue;
      inlineSection(group.get('http'), baseDir);
      inlineSection(group.get('https'), baseDir);
    }
  }
  return doc.toString({ lineWidth: 0 });
}
