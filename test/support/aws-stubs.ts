/**
 * @module test/support/aws-stubs
 * Real HTTP endpoints speaking just enough of two AWS protocols for the real SDK v3 clients:
 * SSM's JSON protocol for GetParameter, and S3's REST protocol (path-style) for GetObject with
 * ETag / If-None-Match. They do not check signatures. Loopback, port 0.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** S3: objects by `bucket/key`. */
export function createS3Stub(objects: Map<string, string>): Promise<StubEndpoint> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]?.slice(1) ?? '');
    calls.push(`${req.method} /${path}`);
    const body = objects.get(path);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
      return;
    }
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, {
      etag,
      'content-type': 'application/yaml',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  return serve(server, calls);
}
