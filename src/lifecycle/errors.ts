/**
 * @module lifecycle/errors
 * The error codes of the lifecycle part (the SageMaker on-start script generator and `doctor`) in one
 * table, and `LifecycleError`, the class that carries them. Messages name the bad value and the fix.
 */
import { CordonError } from '../errors.js';

/** Every code the lifecycle part throws. Stable: the CLI and its tests key on them. */
export const LIFECYCLE_ERRORS = {
  /** An option of `lifecycleScript()` (proxy URL, NO_PROXY entry, CA PEM, root) is not acceptable. */
  badOption: 'CORDON_LIFECYCLE_BAD_OPTION',
  /** The script would not fit SageMaker's 16384-character limit for base64 lifecycle content. */
  tooLarge: 'CORDON_LIFECYCLE_TOO_LARGE',
} as const;

export type LifecycleErrorCode = (typeof LIFECYCLE_ERRORS)[keyof typeof LIFECYCLE_ERRORS];

/** An error of the lifecycle part; `code` is one of `LIFECYCLE_ERRORS`. */
export class LifecycleError extends CordonError {
  declare readonly code: LifecycleErrorCode;

  constructor(code: LifecycleErrorCode, message: string) {
    super(code, message);
    this.name = 'LifecycleError';
  }
}

/** Quote an untrusted value for an error message, shortened so the message stays one line. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
