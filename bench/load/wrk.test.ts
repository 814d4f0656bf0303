import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk } from './wrk.js';

const OUTPUT = `Running 1s test @ http://127.0.0.1:39555/
  1 threads and 5 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.21ms    8.72ms  55.05ms   88.50%
    Req/Sec     2.59k     1.67k    4.85k    54.55%
  Latency Distribution
     50%  970.00us
     75%    5.36ms
     90%   15.76ms
     99%    1.20s
  2835 requests in 1.10s, 340.53KB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:   2577.88
Transfer/sec:    309.65KB
`;

describe('parseWrk', () => {
  it('reads requests, rate, percentiles in any unit and every kind of error', () => {
    assert.deepEqual(parseWrk(OUTPUT), {
      requests: 2835,
      seconds: 1.1,
      rps: 2577.88,
      p50Ms: 0.97,
      p99Ms: 1200,
      errors: 12,
      errorDetail: 'Socket errors: connect 0, read 2, write 1, timeout 4; Non-2xx or 3xx responses: 5',
    });
  });

  it('refuses output without the latency distribution', () => {
    assert.throws(() => parseWrk(OUTPUT.replace(/ {5}99%.*\n/, '')), { code: 'CORDON_BENCH_BAD_OUTPUT' });
  });
});
