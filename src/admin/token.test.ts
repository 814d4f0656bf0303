/** The admin token: from the environment, or generated once into a 0600 file and reused. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { resolveAdminToken, TOKEN_FILE } from './token.js';

const dir = (): string => join(mkdtempSync(join(tmpdir(), 'cordon-token-')), 'data');

it('takes CORDON_ADMIN_TOKEN, refusing a short one', () => {
  const t = resolveAdminToken(dir(), { CORDON_ADMIN_TOKEN: 'a-long-enough-token-value' });
  assert.deepEqual(t, { token: 'a-long-enough-token-value', source: 'env', created: false });
  assert.throws(() => resolveAdminToken(dir(), { CORDON_ADMIN_TOKEN: 'short' }), {
    code: 'CORDON_ADMIN_TOKEN',
    message: /too short/,
  });
});

it('generates a token once, saved with mode 0600, and reuses it', () => {
  const d = dir();
  const first = resolveAdminToken(d, {});
  assert.equal(first.created, true);
  assert.ok(first.token.length >= 40);
  const path = join(d, TOKEN_FILE);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(readFileSync(path, 'utf8').trim(), first.token);
  assert.deepEqual(resolveAdminToken(d, {}), { token: first.token, source: path, created: false });
  chmodSync(path, 0o644);
  assert.throws(() => resolveAdminToken(d, {}), { code: 'CORDON_ADMIN_TOKEN', message: /chmod 600/ });
});
