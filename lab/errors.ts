/**
 * @module lab/errors
 * The error codes of the lab (the network-namespace simulation of the VPC) in one table, and
 * `LabError`, the class that carries them. Messages say what failed and what to do about it.
 */
import { CordonError } from '../src/errors.js';

/** Every code the lab throws. */
export const LAB_ERRORS = {
  /** The lab needs root: it makes network namespaces and veth links. */
  notRoot: 'CORDON_LAB_NOT_ROOT',
  /** A command the lab ran (ip, apt-get, dnsmasq, npm…) exited non-zero. */
  commandFailed: 'CORDON_LAB_COMMAND_FAILED',
  /** A lab process did not start listening, or a file did not appear, before its deadline. */
  timeout: 'CORDON_LAB_TIMEOUT',
  /** `.lab/state.json` is missing or unreadable when a running lab is needed. */
  noLab: 'CORDON_LAB_NOT_RUNNING',
  /** A command-line usage error of `lab/cli.ts`. */
  usage: 'CORDON_LAB_USAGE',
} as const;

export type LabErrorCode = (typeof LAB_ERRORS)[keyof typeof LAB_ERRORS];

/** An error of the lab; `code` is one of `LAB_ERRORS`. */
export class LabError extends CordonError {
  declare readonly code: LabErrorCode;

  constructor(code: LabErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'LabError';
  }
}
