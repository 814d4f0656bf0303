/**
 * @module bench/errors
 * The error codes of the benchmark harness, in one table. The harness throws only these; it never
 * exits the process itself except from `run.ts`.
 */
import { CordonError } from '../src/errors.js';

export const BENCH_ERRORS = {
  /** A tool the benchmark needs (squid, wrk, curl, taskset) is missing and could not be installed. */
  TOOL_MISSING: 'CORDON_BENCH_TOOL_MISSING',
  /** A process the benchmark started (origin, proxy, load generator) failed or never got ready. */
  PROCESS_FAILED: 'CORDON_BENCH_PROCESS_FAILED',
  /** A deadline passed while waiting for a port, a line of output or a process exit. */
  TIMEOUT: 'CORDON_BENCH_TIMEOUT',
  /** A load generator printed something the harness could not read. */
  BAD_OUTPUT: 'CORDON_BENCH_BAD_OUTPUT',
  /** A config template has a placeholder with no value. */
  TEMPLATE: 'CORDON_BENCH_TEMPLATE',
  /** Bad command-line arguments. */
  USAGE: 'CORDON_BENCH_USAGE',
  /** Operations failed under load (bench:ab compares only targets that serve every request). */
  LOAD_FAILED: 'CORDON_BENCH_LOAD_FAILED',
} as const;

export type BenchErrorCode = (typeof BENCH_ERRORS)[keyof typeof BENCH_ERRORS];

export function benchError(code: BenchErrorCode, message: string, cause?: unknown): CordonError {
  return new CordonError(code, message, cause === undefined ? undefined : { cause });
}
