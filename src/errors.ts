/**
 * @module errors
 * The one base error of Cordon. Every thrown error carries a stable `code` (`CORDON_<AREA>_<WHAT>`);
 * each part lists its codes in its own `errors.ts`. Messages are for operators and never contain
 * secrets; clients get fixed texts chosen by the proxy's response mapper.
 */

/** Base of every error Cordon throws on purpose. */
export class CordonError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CordonError';
    this.code = code;
  }
}

/** Narrow an unknown caught value to something with a message, without trusting its shape. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The `code` of an error-like value (Cordon's or Node's), if it has a string one. */
export function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = e.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
