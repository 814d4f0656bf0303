/**
 * @module cli/args
 * Argument parsing shared by the sub-commands (node:util `parseArgs`, strict), with usage errors
 * that say what was wrong.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CordonError, errorMessage } from '../errors.js';

export const CLI_ERRORS = { usage: 'CORDON_CLI_USAGE' } as const;

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(args: string[], options: O, command: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e: unknown) {
    throw new CordonError(CLI_ERRORS.usage, `cordon ${command}: ${errorMessage(e)} (see cordon --help)`);
  }
}

/** Print an error the way every command does and return exit code 2. */
export function fail(e: unknown): number {
  console.error(`cordon: ${errorMessage(e)}`);
  return 2;
}
