/**
 * @module bench/floor
 * Starts the "Node floor" (bench/floor-proxy.mjs) as the benchmark sees it: pinned to the server
 * core like Cordon, with Cordon's Node flags, on a free loopback port. Its figures sit beside
 * Cordon's and squid's in scenarios a–d, so each report shows how much of Cordon's cost is Node's own.
 */
import { join } from 'node:path';
import { CORDON_NODE_FLAGS } from './cordon.js';
import { freePort, spawnListening, type ProcSet } from './procs.js';
import type { ProxyUnderTest } from './types.js';

export async function startFloor(o: {
  procs: ProcSet;
  root: string;
  core: number | undefined;
}): Promise<ProxyUnderTest> {
  const port = await freePort();
  const script = join(o.root, 'bench/floor-proxy.mjs');
  const argv = [process.execPath, ...CORDON_NODE_FLAGS, script, String(port)];
  const proc = await spawnListening(o.procs, 'floor', argv, port, { core: o.core, cwd: o.root });
  return { name: 'floor', port, pid: proc.pid, proc, dir: o.root, stop: () => proc.stop() };
}
