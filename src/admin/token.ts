/**
 * @module admin/token
 * The admin token: `CORDON_ADMIN_TOKEN` when set, else the one saved under the data folder
 * (`admin-token`, mode 0600), generated at first start. The caller prints a new token once. A token
 * file readable by others is refused rather than trusted.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CordonError, errorCode, errorMessage } from '../errors.js';
import { ADMIN_ERRORS } from './errors.js';

export const TOKEN_FILE = 'admin-token';
/** Shorter tokens from the environment are refused: they could be guessed. */
const MIN_TOKEN_LENGTH = 16;

export interface AdminToken {
  readonly token: string;
  /** Where it came from: `env`, or the file path. */
  readonly source: string;
  /** True when generated just now (print it once). */
  readonly created: boolean;
}

export function resolveAdminToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): AdminToken {
  const fromEnv = env.CORDON_ADMIN_TOKEN?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_TOKEN_LENGTH) {
      throw new CordonError(
        ADMIN_ERRORS.token,
        `CORDON_ADMIN_TOKEN is too short (${fromEnv.length} characters); use at least ${MIN_TOKEN_LENGTH}, e.g. from: openssl rand -base64 32`,
      );
    }
    return { token: fromEnv, source: 'env', created: false };
  }
  const path = join(dataDir, TOKEN_FILE);
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new CordonError(
        ADMIN_ERRORS.token,
        `${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      );
    }
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= MIN_TOKEN_LENGTH) return { token, source: path, created: false };
    throw new CordonError(
      ADMIN_ERRORS.token,
      `${path} holds no usable token; delete it to generate a new one`,
    );
  } catch (e: unknown) {
    if (e instanceof CordonError) throw e;
    if (errorCode(e) !== 'ENOENT') {
      throw new CordonError(ADMIN_ERRORS.token, `cannot read ${path}: ${errorMessage(e)}`, { cause: e });
    }
  }
  const token = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // `wx`: never overwrite a token another process just wrote.
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, source: path, created: true };
}
