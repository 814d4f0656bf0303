#!/usr/bin/env -S node --max-semi-space-size=4 --v8-pool-size=1
// Entry point of the `cordon` executable: runs the built CLI (dist/), which `npm ci` builds through `prepare`.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
  },
);
