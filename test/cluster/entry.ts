/**
 * The `cordon` command run from the TypeScript sources (bin/cordon.js without dist/), so the cluster
 * tests exercise the tree as it is. Cluster workers re-run this file with the same `--import tsx`.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
