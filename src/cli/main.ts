/**
 * @module cli/main
 * The `cordon` command: parses the sub-command and hands over to it. Holds no logic of its own;
 * returns the exit code, and only `bin/cordon.js` sets it on the process.
 */
import { runCheck } from './check.js';
import { runImportSquid } from './import-squid.js';
import { runDoctorCommand, runLifecycle } from './lifecycle.js';
import { runLint } from './lint.js';
import { runStart } from './start.js';

export const USAGE = `cordon — egress gateway for data-science notebooks

Usage:
  cordon start [--config FILE] [--listen HOST:PORT] [--workers N|auto]
                                                         run the gateway (N worker processes: every core)
  cordon check <url | host:port> [--client IP] [--config FILE]
                                                         show the decision for a destination (exit 0 allow, 1 deny)
  cordon lint [--config FILE]                            validate the config, warn about risky entries
  cordon import-squid <squid.conf> [--out DIR] [--force] convert a squid allowlist setup to cordon.yaml
  cordon lifecycle --proxy http://HOST:3128 [--no-proxy LIST] [--ca-file PEM] [--root DIR [--apply]]
                                                         print the SageMaker notebook on-start script
  cordon doctor [--direct HOST:PORT,...]                 inside a notebook: check every client uses the proxy

Without --config, the built-in default policy is used (deny everything, log decisions).
Docs: README.md and docs/ in the package.`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  start: runStart,
  check: runCheck,
  lint: runLint,
  'import-squid': runImportSquid,
  lifecycle: runLifecycle,
  doctor: runDoctorCommand,
};

/** Run the CLI; resolves to the process exit code (0 ok, 1 a "no" answer, 2 usage or error). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`cordon: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

/** Register extra commands (lifecycle, doctor, admin tools) without main.ts importing them all. */
export function registerCommand(name: string, command: Command): void {
  COMMANDS[name] = command;
}
