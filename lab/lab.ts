/**
 * @module lab/lab
 * `labUp()` and `labDown()`: the whole lab brought up in order (packages, clean slate, state file,
 * network, content, services, Cordon, notebook) and torn down from the state file plus a sweep of
 * every `cordon-lab-*` leftover. One lab at a time: `labUp()` first removes any previous one.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { LAB_ERRORS, LabError } from './errors.js';
import { writeFixtures } from './fixtures.js';
import { buildCordon, installCordon, startCordon, writeGatewayConfig } from './gateway.js';
import { createNetwork, sweep } from './network.js';
import { setUpNotebook } from './notebook.js';
import { ensurePackages } from './packages.js';
import { startServices } from './services.js';
import { LAB_DIR, newState, PATHS, readState, writeState, type LabState } from './state.js';

export interface LabUpOptions {
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export function assertRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError(
      LAB_ERRORS.notRoot,
      'the lab needs root (it creates network namespaces): run it with sudo',
    );
  }
}

/** Bring the lab up; on any failure, tear down what was made and rethrow. */
export async function labUp(opts: LabUpOptions = {}): Promise<LabState> {
  const log = opts.log ?? (() => undefined);
  assertRoot();
  await ensurePackages(log);
  await labDown();
  rmSync(LAB_DIR, { recursive: true, force: true });
  for (const dir of [PATHS.logs, PATHS.run]) mkdirSync(dir, { recursive: true });
  const state = newState();
  writeState(state);
  try {
    await buildCordon(log);
    log(`creating namespaces ${Object.values(state.namespaces).join(', ')}`);
    await createNetwork(state);
    writeGatewayConfig();
    log('generating the lab CA, certificates, package index and S3 object; starting DNS, origins and');
    log('the metadata stand-in; installing Cordon from `npm pack` with install-cordon.sh (no systemd)');
    const steps = await Promise.allSettled([
      writeFixtures().then(() => startServices(state)),
      installCordon(state),
    ]);
    for (const step of steps) if (step.status === 'rejected') throw step.reason;
    log('starting Cordon in the gateway namespace');
    await startCordon(state);
    log('applying the lifecycle script to the notebook tree');
    await setUpNotebook(state);
  } catch (e: unknown) {
    await labDown();
    throw e;
  }
  return state;
}

/** Remove every namespace, link and process any lab made (idempotent). Returns what was removed. */
export async function labDown(): Promise<string[]> {
  assertRoot();
  const removed = await sweep(readState());
  rmSync(PATHS.state, { force: true });
  return removed;
}
