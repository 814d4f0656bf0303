/**
 * The built-in default (what `npm start` runs with no config) and the shipped examples/: both load,
 * and decide as their comments say.
 */
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import type { DecisionInput } from '../policy/types.js';
import { BUILTIN_CONFIG_YAML } from './defaults.js';
import { loadConfig, type LoadedConfig } from './load.js';
import { configSchema } from './schema.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const input = (host: string, scheme: 'http' | 'https' = 'https', client = '10.0.1.5'): DecisionInput => ({
  client,
  scheme,
  host,
  port: scheme === 'https' ? 443 : 80,
  isIp: false,
});

describe('built-in default', () => {
  it('loads against the cwd, allows only private clients, and denies everything', () => {
    const l: LoadedConfig = loadConfig();
    assert.equal(l.path, null);
    assert.deepEqual(l.files, []);
    assert.equal(l.config.listen, '0.0.0.0:3128');
    assert.equal(l.config.log.json, '-');
    assert.equal(l.config.log.access, resolve(process.cwd(), 'logs/access.log'));
    assert.equal(l.config.storage.dir, resolve(process.cwd(), 'data'));
    assert.equal(l.config.admin.listen, '127.0.0.1:9090');
    assert.deepEqual(l.config.clients, configSchema.parse({}).clients);
    assert.deepEqual(
      l.policySpec.groups.map((g) => g.name),
      ['default'],
    );
    const policy = compilePolicy(l.policySpec, 1);
    const d = decide(policy, input('example.org'));
    assert.equal(d.allow, false);
    assert.equal(d.reason, 'not_allowlisted');
    assert.equal(decide(policy, input('example.org', 'https', '203.0.113.9')).reason, 'client_not_allowed');
    assert.ok(l.warnings.some((w) => /nothing is allowlisted/.test(w.message)));
  });

  it('is a plain, commented cordon.yaml that states the schema defaults it shows', () => {
    const shown = parseYaml(BUILTIN_CONFIG_YAML) as Record<string, unknown>;
    const defaults = configSchema.parse({});
    assert.equal(shown.listen, defaults.listen);
    assert.deepEqual(shown.clients, defaults.clients);
    assert.match(BUILTIN_CONFIG_YAML, /^# /);
  });
});

describe('examples/', () => {
  it('loads cleanly and allows what its comments promise', () => {
    const l = loadConfig(join(ROOT, 'examples/cordon.yaml'));
    assert.deepEqual(
      l.warnings.filter((w) => w.level !== 'info'),
      [],
    );
    const policy = compilePolicy(l.policySpec, 1);
    assert.equal(decide(policy, input('files.example.org')).allow, true);
    assert.equal(decide(policy, input('x.my-team-data.s3.amazonaws.com')).allow, true);
    assert.equal(decide(policy, input('other-bucket.s3.amazonaws.com')).allow, false);
    assert.equal(decide(policy, input('mirror.example.org', 'http')).allow, true);
    assert.equal(decide(policy, input('mirror.example.org', 'https')).allow, false);
  });
});
