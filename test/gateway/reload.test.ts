/**
 * Hot reload under traffic: file edits and SIGHUP-style reloads swap the policy atomically, open
 * tunnels and keep-alive connections survive, a bad file keeps the last good policy, and records
 * reach the access logs.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../support/ca.js';
import { createHttpOrigin, createHttpsOrigin, type Origin } from '../support/origins.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

function get(
  proxyPort: number,
  url: string,
  agent?: Agent,
): Promise<{ status: number; body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, path: url, agent: agent ?? false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: res.socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('reload', () => {
  let ca: TestCa;
  let http: Origin;
  let https: Origin;
  let gw: TestGateway;
  const config = (extra: string): string => `
http:
  ports: [${http.port}]
  allowFiles: [allowhttp.txt]
https:
  ports: [${https.port}]
  allow: [secure.test]
dns:
  hosts: { a.test: 127.0.0.1, b.test: 127.0.0.1, secure.test: 127.0.0.1 }
  allowPrivate: [127.0.0.0/8]
log:
  access: ./logs/access.log
  json: ./logs/decisions.jsonl
${extra}`;

  before(async () => {
    ca = await createTestCa();
    http = await createHttpOrigin();
    https = await createHttpsOrigin(ca, ['secure.test']);
    gw = await startTestGateway({ 'cordon.yaml': config(''), 'allowhttp.txt': '# notebooks\na.test\n' });
  });
  after(async () => {
    await gw.stop();
    await http.close();
    await https.close();
  });

  it('applies an allowlist edit to new requests while open connections survive', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(gw.port, `http://a.test:${http.port}/1`, agent);
    assert.equal(first.status, 200);
    assert.equal((await get(gw.port, `http://b.test:${http.port}/1`)).status, 403);

    // An open tunnel across the reload.
    const tunnel = await new Promise<import('node:net').Socket>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: gw.port,
        method: 'CONNECT',
        path: `secure.test:${https.port}`,
      });
      req.on('connect', (_res, socket) => resolve(socket));
      req.on('error', reject);
      req.end();
    });
    const tls = tlsConnect({ socket: tunnel, servername: 'secure.test', ca: ca.certPem });
    await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));

    const reloaded = gw.nextReload();
    gw.write('allowhttp.txt', 'a.test\nb.test\n');
    assert.equal(await reloaded, 'ok');

    assert.equal((await get(gw.port, `http://b.test:${http.port}/2`)).status, 200);
    const second = await get(gw.port, `http://a.test:${http.port}/2`, agent);
    assert.equal(second.status, 200);
    assert.equal(second.socket, first.socket, 'the keep-alive connection survived the reload');

    tls.write(`GET /through-tunnel HTTP/1.1\r\nHost: secure.test\r\nConnection: close\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      tls.on('data', (c: Buffer) => (text += c.toString()));
      tls.on('end', () => resolve(text));
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    agent.destroy();
  });

  it('refuses a bad config and keeps the last good policy in force', async () => {
    const failed = gw.nextReload();
    gw.write('cordon.yaml', config('unknownKey: 1\n'));
    assert.equal(await failed, 'failed');
    assert.equal((await get(gw.port, `http://b.test:${http.port}/3`)).status, 200);

    const failedAgain = gw.nextReload();
    gw.write('allowhttp.txt', 'a.test\n.com\n');
    assert.equal(await failedAgain, 'failed');
    assert.equal((await get(gw.port, `http://b.test:${http.port}/4`)).status, 200);

    const fixed = gw.nextReload();
    gw.write('cordon.yaml', config(''));
    gw.write('allowhttp.txt', 'a.test\n');
    assert.equal(await fixed, 'ok');
  });

  it('reloads on request (SIGHUP) and never drops requests while reloading', async () => {
    let failures = 0;
    const traffic = (async () => {
      for (let i = 0; i < 60; i++) {
        const r = await get(gw.port, `http://a.test:${http.port}/t${i}`);
        if (r.status !== 200) failures++;
      }
    })();
    for (let i = 0; i < 10; i++) assert.equal(gw.gateway.reload('SIGHUP').ok, true);
    await traffic;
    assert.equal(failures, 0);
  });

  it('writes squid-format and JSON records, flushed on stop', async () => {
    await get(gw.port, `http://b.test:${http.port}/logged-deny`);
    await gw.stop();
    const access = readFileSync(join(gw.dir, 'logs', 'access.log'), 'utf8');
    assert.match(access, /TCP_DENIED\/403 \d+ GET http:\/\/b\.test:\d+\/logged-deny/);
    assert.match(access, /TCP_TUNNEL\/200 \d+ CONNECT secure\.test:\d+/);
    const json = readFileSync(join(gw.dir, 'logs', 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const deny = json
      .map((l) => JSON.parse(l) as { path: string; reason: string })
      .find((r) => r.path === '/logged-deny');
    assert.equal(deny?.reason, 'not_allowlisted');
  });
});
