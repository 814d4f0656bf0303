/**
 * The `cordon` executable as users run it (bin/cordon.js on the built output): start with a config,
 * SIGHUP reload, SIGTERM drain with a request in flight and exit 0; `check` exit codes.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readLogLines } from '../support/log-lines.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cordon.js');

function cordon(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 2) : 0, stdout, stderr });
    });
  });
}

describe('cordon CLI', () => {
  let origin: Origin;
  let dir: string;

  before(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
      spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    }
    origin = await createHttpOrigin();
    dir = mkdtempSync(join(tmpdir(), 'cordon-cli-'));
    writeFileSync(
      join(dir, 'cordon.yaml'),
      `http: { ports: [${origin.port}], allow: [app.test] }
https: { allow: [.example.org] }
dns: { hosts: { app.test: 127.0.0.1 }, allowPrivate: [127.0.0.0/8] }
log: { access: ./access.log, json: ./decisions.jsonl }
timeouts: { drainMs: 5000 }
admin: { listen: "127.0.0.1:0" }
`,
    );
  });
  after(() => origin.close());

  it('check prints the decision and exits 0 for allow, 1 for deny, 2 for errors', async () => {
    const conf = join(dir, 'cordon.yaml');
    const allow = await cordon(['check', 'https://files.example.org/x', '--config', conf]);
    assert.equal(allow.code, 0, allow.stderr);
    assert.match(allow.stdout, /ALLOW/);
    assert.match(allow.stdout, /\.example\.org/);
    const deny = await cordon(['check', 'evil.test:443', '--config', conf]);
    assert.equal(deny.code, 1);
    assert.match(deny.stdout, /not_allowlisted/);
    const ip = await cordon(['check', `http://0x7f.1:${origin.port}/`, '--config', conf]);
    assert.equal(ip.code, 1);
    assert.match(ip.stdout, /ip_literal_not_allowed/);
    const bad = await cordon(['check', '--config', conf]);
    assert.equal(bad.code, 2);
    const unknown = await cordon(['frobnicate']);
    assert.equal(unknown.code, 2);
  });

  it('start serves, reloads on SIGHUP, and on SIGTERM drains an in-flight request then exits 0', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'start', '--config', join(dir, 'cordon.yaml'), '--listen', '127.0.0.1:0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const logs = readLogLines(child.stderr, 10_000);
    const listening = await logs.wait('proxy listening');
    const port = Number(String(listening.listen).split(':').pop());

    const reloaded = logs.wait('policy reloaded');
    child.kill('SIGHUP');
    await reloaded;

    const inflight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: `http://app.test:${origin.port}/slow/400` },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    // Stop once the origin has the request, so the request is truly in flight.
    await new Promise<void>((resolve) => {
      const poll = (): void =>
        origin.seen.length > 0 || origin.connections > 0 ? resolve() : void setImmediate(poll);
      poll();
    });
    child.kill('SIGTERM');
    const done = await inflight;
    assert.equal(done.status, 200);
    assert.equal(done.body, 'slow done');
    assert.equal(await exited, 0);
    const records = readFileSync(join(dir, 'decisions.jsonl'), 'utf8').trim().split('\n');
    assert.ok(
      records.some((l) => l.includes('/slow/400')),
      'the drained request was logged before exit',
    );
  });
});
