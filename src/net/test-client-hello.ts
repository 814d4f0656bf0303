/**
 * @module net/test-client-hello
 * Test support: real ClientHellos captured from Node's TLS client, and hand-built ones for inputs a
 * real client never sends (bad SNI bytes, duplicate extensions, ECH). Shared by the ClientHello
 * reader's tests and the proxy's adversarial tests. Must not be used outside tests.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { parseClientHello } from './client-hello.js';

/**
 * Connect Node's TLS client to a local TCP server that never answers and return the first flight
 * (one whole ClientHello). `options` are passed to `tls.connect()` (servername, ALPNProtocols …).
 */
export async function captureClientHello(options: ConnectionOptions = {}, timeoutMs = 5000): Promise<Buffer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  let peer: Socket | undefined;
  const captured = new Promise<Buffer>((resolve, reject) => {
    server.once('connection', (socket: Socket) => {
      peer = socket;
      const chunks: Buffer[] = [];
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const all = Buffer.concat(chunks);
        if (parseClientHello(all).kind !== 'need-more') resolve(all);
      });
    });
  });
  const client = connect({ host: '127.0.0.1', port: address.port, rejectUnauthorized: false, ...options });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no ClientHello within the deadline')), timeoutMs);
  });
  try {
    return await Promise.race([captured, deadline]);
  } finally {
    clearTimeout(timer);
    client.destroy();
    peer?.destroy();
    server.close();
  }
}

export interface ClientHelloParts {
  /** host_name values for server_name (bytes as given); omitted = no server_name extension. */
  readonly sni?: readonly (string | Buffer)[];
  readonly alpn?: readonly string[];
  readonly ech?: boolean;
  /** Further raw extensions, in order, after the ones above. */
  readonly extensions?: readonly { type: number; data: Buffer }[];
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function vec16(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([u16(body.length), body]);
}

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)]);
}

/** The handshake message (type, 3-byte length, body) of a minimal TLS 1.3-style ClientHello. */
export function buildClientHelloHandshake(parts: ClientHelloParts): Buffer {
  const exts: Buffer[] = [];
  if (parts.sni !== undefined) {
    const names = parts.sni.map((n) => {
      const name = typeof n === 'string' ? Buffer.from(n, 'latin1') : n;
      return Buffer.concat([Buffer.from([0]), vec16(name)]);
    });
    exts.push(extension(0, vec16(...names)));
  }
  if (parts.alpn !== undefined) {
    const protos = parts.alpn.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')]));
    exts.push(extension(16, vec16(...protos)));
  }
  if (parts.ech === true) exts.push(extension(0xfe0d, Buffer.from([0, 0, 1, 0, 1])));
  for (const e of parts.extensions ?? []) exts.push(extension(e.type, e.data));
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    vec16(Buffer.from([0x13, 0x01])),
    Buffer.from([1, 0]),
    vec16(...exts),
  ]);
  const header = Buffer.from([1, 0, 0, 0]);
  header.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

/** Wrap a handshake message in TLS records of at most `fragment` bytes each. */
export function toRecords(handshake: Buffer, fragment = 16384): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < handshake.length; at += fragment) {
    const piece = handshake.subarray(at, at + fragment);
    out.push(Buffer.from([22, 3, 1]), u16(piece.length), piece);
  }
  return Buffer.concat(out);
}

/** A whole ClientHello in one record. */
export function buildClientHello(parts: ClientHelloParts): Buffer {
  return toRecords(buildClientHelloHandshake(parts));
}

/** The handshake payload of a ClientHello's records, with the record headers removed. */
export function handshakeOf(records: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at + 5 <= records.length;) {
    const size = records.readUInt16BE(at + 3);
    out.push(records.subarray(at + 5, at + 5 + size));
    at += 5 + size;
  }
  return Buffer.concat(out);
}
