/**
 * @module policy/decide.test
 * Table of named cases for `decide()`: each asserts the decision (allow, reason, wouldDeny) and,
 * where it matters, the group, mode and rule. Policies are built by hand with `compilePolicy()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, type Policy } from './compile.js';
import { decide } from './decide.js';
import type { AllowEntry, Decision, DecisionInput, GroupSpec, PolicySpec, Scheme } from './types.js';

const allow = (file: string, ...values: string[]): AllowEntry[] =>
  values.map((value, i) => ({ value, source: `${file}:${i + 1}` }));

const LEARN_UNTIL = '2030-01-01T00:00:00Z';
const BEFORE = Date.parse(LEARN_UNTIL) - 1;
const AFTER = Date.parse(LEARN_UNTIL);
const NOW = Date.parse('2025-06-01T00:00:00Z');

function group(name: string, clients: string[], over: Partial<GroupSpec> = {}): GroupSpec {
  return {
    name,
    clients,
    mode: 'enforce',
    http: {
      ports: [80, 8080],
      allow: allow('allowhttp.txt', 'plain.example', '.mirror.example', '10.1.2.3'),
    },
    https: {
      ports: [443],
      allow: allow('allowhttps.txt', '.pypi.example', '*.s3.example', 'secure.example', '2001:db8::/32'),
    },
    ...over,
  };
}

const SPEC: PolicySpec = {
  clients: ['10.0.0.0/8', '::1/128'],
  groups: [
    group('team-a', ['10.1.0.0/16'], {
      https: { ports: [443, 8443], allow: allow('team-a.yaml', 'team-a.example') },
    }),
    group('team-a-wide', ['10.1.0.0/16', '10.2.0.0/16'], {
      https: { ports: [443], allow: allow('team-a-wide.yaml', 'wide.example') },
    }),
    group('reporting', ['10.3.0.0/16'], { mode: 'report' }),
    group('learning', ['10.4.0.0/16'], { mode: 'learn', learnUntil: LEARN_UNTIL }),
    group('bad-date', ['10.5.0.0/16'], { mode: 'learn', learnUntil: 'not a date' }),
    group('default', ['0.0.0.0/0', '::/0']),
  ],
};
const POLICY: Policy = compilePolicy(SPEC, 1);

interface Row {
  readonly name: string;
  readonly input: Partial<DecisionInput> & { readonly host: string };
  readonly nowMs?: number;
  readonly expect: Partial<Decision> & Pick<Decision, 'allow' | 'reason'>;
}

function input(over: Row['input']): DecisionInput {
  const scheme: Scheme = over.scheme ?? 'https';
  return {
    client: '10.9.9.9',
    scheme,
    port: scheme === 'https' ? 443 : 80,
    isIp: false,
    ...over,
  };
}

const denyEnforced = { allow: false, wouldDeny: false, mode: 'enforce', rule: null } as const;

const CASES: readonly Row[] = [
  // Clients.
  {
    name: 'client outside clients',
    input: { client: '192.168.1.1', host: 'secure.example' },
    expect: { ...denyEnforced, reason: 'client_not_allowed', group: '-' },
  },
  {
    name: 'client that is not an address',
    input: { client: 'not-an-ip', host: 'secure.example' },
    expect: { ...denyEnforced, reason: 'client_not_allowed', group: '-' },
  },
  {
    name: 'IPv4-mapped client counts as IPv4',
    input: { client: '::ffff:10.9.9.9', host: 'secure.example' },
    expect: { allow: true, wouldDeny: false, reason: 'allowed', group: 'default' },
  },
  {
    name: 'IPv6 loopback client',
    input: { client: '::1', host: 'secure.example' },
    expect: { allow: true, reason: 'allowed', group: 'default' },
  },
  // Group selection.
  {
    name: 'first matching group wins',
    input: { client: '10.1.2.3', host: 'team-a.example' },
    expect: { allow: true, reason: 'allowed', group: 'team-a', rule: 'team-a.example (team-a.yaml:1)' },
  },
  {
    name: 'later group not consulted when an earlier one matches',
    input: { client: '10.1.2.3', host: 'wide.example' },
    expect: { ...denyEnforced, reason: 'not_allowlisted', group: 'team-a' },
  },
  {
    name: 'second group for clients only it covers',
    input: { client: '10.2.0.1', host: 'wide.example' },
    expect: {
      allow: true,
      reason: 'allowed',
      group: 'team-a-wide',
      rule: 'wide.example (team-a-wide.yaml:1)',
    },
  },
  {
    name: 'group-scoped ports',
    input: { client: '10.1.2.3', host: 'team-a.example', port: 8443 },
    expect: { allow: true, reason: 'allowed', group: 'team-a' },
  },
  {
    name: 'fallthrough to default',
    input: { client: '10.9.9.9', host: 'team-a.example' },
    expect: { ...denyEnforced, reason: 'not_allowlisted', group: 'default' },
  },
  // Schemes are separate lists.
  {
    name: 'https host on https list',
    input: { host: 'secure.example' },
    expect: { allow: true, wouldDeny: false, reason: 'allowed', group: 'default', mode: 'enforce' },
  },
  {
    name: 'https-only host over http',
    input: { scheme: 'http', host: 'secure.example' },
    expect: { ...denyEnforced, reason: 'not_allowlisted', group: 'default' },
  },
  {
    name: 'http host on http list',
    input: { scheme: 'http', host: 'plain.example' },
    expect: { allow: true, reason: 'allowed', rule: 'plain.example (allowhttp.txt:1)' },
  },
  {
    name: 'http-only host over https',
    input: { host: 'plain.example' },
    expect: { ...denyEnforced, reason: 'not_allowlisted' },
  },
  {
    name: 'dot entry allows subdomain',
    input: { host: 'files.pypi.example' },
    expect: { allow: true, reason: 'allowed', rule: '.pypi.example (allowhttps.txt:1)' },
  },
  {
    name: 'star entry refuses the bare domain',
    input: { host: 's3.example' },
    expect: { ...denyEnforced, reason: 'not_allowlisted' },
  },
  {
    name: 'star entry allows a subdomain',
    input: { host: 'bucket.s3.example' },
    expect: { allow: true, reason: 'allowed', rule: '*.s3.example (allowhttps.txt:2)' },
  },
  // Ports.
  {
    name: 'https port not in set',
    input: { host: 'secure.example', port: 8443 },
    expect: { ...denyEnforced, reason: 'port_not_allowed' },
  },
  {
    name: 'http port not in set',
    input: { scheme: 'http', host: 'plain.example', port: 443 },
    expect: { ...denyEnforced, reason: 'port_not_allowed' },
  },
  {
    name: 'second http port',
    input: { scheme: 'http', host: 'plain.example', port: 8080 },
    expect: { allow: true, reason: 'allowed' },
  },
  {
    name: 'port checked before destination',
    input: { host: 'unknown.example', port: 22 },
    expect: { ...denyEnforced, reason: 'port_not_allowed' },
  },
  // IP literals.
  {
    name: 'IPv4 literal not named',
    input: { scheme: 'http', host: '10.1.2.4', isIp: true },
    expect: { ...denyEnforced, reason: 'ip_literal_not_allowed' },
  },
  {
    name: 'IPv4 literal named',
    input: { scheme: 'http', host: '10.1.2.3', isIp: true },
    expect: { allow: true, reason: 'allowed', rule: '10.1.2.3 (allowhttp.txt:3)' },
  },
  {
    name: 'IPv4 literal named for http only',
    input: { host: '10.1.2.3', isIp: true },
    expect: { ...denyEnforced, reason: 'ip_literal_not_allowed' },
  },
  {
    name: 'IPv4-mapped literal matches the IPv4 entry',
    input: { scheme: 'http', host: '::ffff:a01:203', isIp: true },
    expect: { allow: true, reason: 'allowed', rule: '10.1.2.3 (allowhttp.txt:3)' },
  },
  {
    name: 'IPv6 literal in a named range',
    input: { host: '2001:db8::5', isIp: true },
    expect: { allow: true, reason: 'allowed', rule: '2001:db8::/32 (allowhttps.txt:4)' },
  },
  {
    name: 'IPv6 literal outside',
    input: { host: '2001:db9::5', isIp: true },
    expect: { ...denyEnforced, reason: 'ip_literal_not_allowed' },
  },
  // Names.
  {
    name: 'not allowlisted',
    input: { host: 'evil.test' },
    expect: { ...denyEnforced, reason: 'not_allowlisted', group: 'default' },
  },
  {
    name: 'allowlisted name as suffix of another',
    input: { host: 'secure.example.evil.test' },
    expect: { ...denyEnforced, reason: 'not_allowlisted' },
  },
  // Modes.
  {
    name: 'report mode lets a denial through',
    input: { client: '10.3.0.1', host: 'evil.test' },
    expect: { allow: true, wouldDeny: true, reason: 'not_allowlisted', group: 'reporting', mode: 'report' },
  },
  {
    name: 'report mode keeps the port reason',
    input: { client: '10.3.0.1', host: 'secure.example', port: 22 },
    expect: { allow: true, wouldDeny: true, reason: 'port_not_allowed', mode: 'report' },
  },
  {
    name: 'report mode keeps the IP reason',
    input: { client: '10.3.0.1', host: '192.0.2.1', isIp: true },
    expect: { allow: true, wouldDeny: true, reason: 'ip_literal_not_allowed', mode: 'report' },
  },
  {
    name: 'report mode allowed is not a would-deny',
    input: { client: '10.3.0.1', host: 'secure.example' },
    expect: { allow: true, wouldDeny: false, reason: 'allowed', mode: 'report' },
  },
  {
    name: 'client_not_allowed enforced whatever the modes',
    input: { client: '172.16.0.1', host: 'secure.example' },
    expect: { ...denyEnforced, reason: 'client_not_allowed', group: '-' },
  },
  {
    name: 'learn mode before its date acts like report',
    input: { client: '10.4.0.1', host: 'evil.test' },
    nowMs: BEFORE,
    expect: { allow: true, wouldDeny: true, reason: 'not_allowlisted', group: 'learning', mode: 'learn' },
  },
  {
    name: 'learn mode at its date enforces',
    input: { client: '10.4.0.1', host: 'evil.test' },
    nowMs: AFTER,
    expect: { ...denyEnforced, reason: 'not_allowlisted', group: 'learning' },
  },
  {
    name: 'learn mode after its date allows what is listed',
    input: { client: '10.4.0.1', host: 'secure.example' },
    nowMs: AFTER + 1,
    expect: { allow: true, wouldDeny: false, reason: 'allowed', mode: 'enforce' },
  },
  {
    name: 'learn mode with an unreadable date enforces',
    input: { client: '10.5.0.1', host: 'evil.test' },
    nowMs: 0,
    expect: { ...denyEnforced, reason: 'not_allowlisted', group: 'bad-date' },
  },
];

for (const row of CASES) {
  test(`decide: ${row.name}`, () => {
    const decision = decide(POLICY, input(row.input), row.nowMs ?? NOW);
    const picked = Object.fromEntries(Object.keys(row.expect).map((k) => [k, decision[k as keyof Decision]]));
    assert.deepEqual(picked, row.expect, decision.detail);
  });
}

test('decide: detail names the target, IPv6 in brackets', () => {
  const d = decide(POLICY, input({ host: '2001:db9::5', isIp: true }), NOW);
  assert.match(d.detail, /https:\/\/\[2001:db9::5\]:443/);
});

test('decide: detail names the allowed ports when the port is wrong', () => {
  const d = decide(POLICY, input({ scheme: 'http', host: 'plain.example', port: 443 }), NOW);
  assert.match(d.detail, /port 443 .*\(80, 8080\)/);
});

test('decide: compiled policy is frozen', () => {
  assert.ok(Object.isFrozen(POLICY));
  assert.ok(Object.isFrozen(POLICY.groups));
  assert.equal(POLICY.version, 1);
});

test('decide: an allowed destination is decided once per group, scheme, host and port', () => {
  const policy = compilePolicy(SPEC, 2);
  const first = decide(policy, input({ client: '10.9.0.1', host: 'secure.example' }), NOW);
  const again = decide(policy, input({ client: '10.9.0.2', host: 'secure.example' }), NOW);
  assert.equal(again, first, 'the same group gets the kept decision');
  assert.ok(Object.isFrozen(first));
  // Another group with its own rules, another port, another scheme: each decided on its own.
  const teamA = decide(policy, input({ client: '10.1.0.1', host: 'secure.example' }), NOW);
  assert.deepEqual([teamA.allow, teamA.reason, teamA.group], [false, 'not_allowlisted', 'team-a']);
  const port = decide(policy, input({ client: '10.9.0.1', host: 'secure.example', port: 8443 }), NOW);
  assert.equal(port.reason, 'port_not_allowed');
  const http = decide(
    policy,
    input({ client: '10.9.0.1', scheme: 'http', host: 'secure.example', port: 80 }),
    NOW,
  );
  assert.equal(http.reason, 'not_allowlisted');
  // A reload compiles new groups: nothing is carried over.
  assert.notEqual(
    decide(compilePolicy(SPEC, 3), input({ client: '10.9.0.1', host: 'secure.example' }), NOW),
    first,
  );
});

test('decide: a learn group past its date enforces even for a destination decided while learning', () => {
  const policy = compilePolicy(SPEC, 2);
  const learning = decide(policy, input({ client: '10.4.0.1', host: 'secure.example' }), BEFORE);
  assert.equal(learning.mode, 'learn');
  const after = decide(policy, input({ client: '10.4.0.1', host: 'secure.example' }), AFTER);
  assert.deepEqual([after.allow, after.mode], [true, 'enforce']);
});
