/**
 * @module test/support/aws-stubs
 * Real HTTP endpoints speaking just enough of two AWS protocols for the real SDK v3 clients:
 * SSM's JSON protocol for GetParameter, and S3's REST protocol (path-style) for GetObject with
 * ETag / If-None-Match (the lab's object store). They do not check signatures. Loopback, port 0.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleS3 } from '../../lab/s3.js';

export interface StubEndpoint {
  readonly url: string;
  /** Requests seen, as `METHOD path target`. */
  readonly calls: string[];
  close(): Promise<void>;
}

async function serve(server: Server, calls: string[]): Promise<StubEndpoint> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** SSM: parameters by name; set `params[name]` to change a value (the version goes up). */
export function createSsmStub(
  params: Map<string, { value: string; version: number }>,
): Promise<StubEndpoint> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      calls.push(`${req.method} ${req.url} ${target}`);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      const name = (JSON.parse(body || '{}') as { Name?: string }).Name ?? '';
      const p = params.get(name);
      if (target !== 'AmazonSSM.GetParameter' || p === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ParameterNotFound', message: `no parameter ${name}` }));
        return;
      }
      res.end(
        JSON.stringify({
          Parameter: { Name: name, Type: 'String', Value: p.value, Version: p.version, DataType: 'text' },
        }),
      );
    });
  });
  return serve(server, calls);
}

/**
 * S3: the lab's S3-compatible store (lab/s3.ts) over a temp folder, `objects` keyed `bucket/key`;
 * `put()` changes an object.
 */
export async function createS3Stub(
  objects: Map<string, string>,
): Promise<StubEndpoint & { put(path: string, body: string): void }> {
  const root = mkdtempSync(join(tmpdir(), 'cordon-s3-'));
  const put = (path: string, body: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body);
  };
  for (const [path, body] of objects) put(path, body);
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    handleS3(req, res, '127.0.0.1', '127.0.0.1', root);
  });
  return { ...(await serve(server, calls)), put };
}
