/**
 * @module net/test-dns-server
 * Test support: a tiny authoritative DNS server over UDP on 127.0.0.1, so tests of the resolver,
 * the proxy and the adversarial suite never need real DNS. Answers A and AAAA from a fixed table,
 * NODATA for other types of a known name, NXDOMAIN for unknown names, and records every question.
 * Wire format per RFC 1035 §4; only what a stub resolver needs. Must not be used outside tests.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import ipaddr from 'ipaddr.js';

/** What to do instead of answering, for one name. */
export type TestDnsFailure = 'drop' | 'drop-aaaa' | 'servfail' | 'refused';

export interface TestDnsServerOptions {
  /** Name (any case, optional trailing dot) → addresses, IPv4 and IPv6 mixed. */
  readonly records: Readonly<Record<string, readonly string[]>>;
  /** Names that get no answer (`drop`; `drop-aaaa` answers only A), or an error code. */
  readonly failures?: Readonly<Record<string, TestDnsFailure>>;
  /**
   * Names whose answer changes from query to query (DNS rebinding): the n-th question of a type
   * gets the n-th address list (the last one repeats), with TTL 0. Takes precedence over `records`.
   */
  readonly sequences?: Readonly<Record<string, readonly (readonly string[])[]>>;
}

export interface TestDnsQuestion {
  readonly name: string;
  /** 1 = A, 28 = AAAA, 12 = PTR … (RFC 1035 §3.2.2). */
  readonly type: number;
}

export interface TestDnsServer {
  readonly port: number;
  /** Every question name, exactly as it arrived (no trailing dot), in order. */
  readonly queries: string[];
  readonly questions: TestDnsQuestion[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
const RCODE = { ok: 0, servfail: 2, nxdomain: 3, refused: 5 } as const;
const TTL_SECONDS = 60;

function normalise(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Parse the single question of a query; null for anything this server does not handle. */
function parseQuestion(msg: Buffer): { name: string; type: number; end: number } | null {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    const len = msg[off];
    if (len === undefined || len > 63) return null; // compression is not used in questions
    off += 1;
    if (len === 0) break;
    if (off + len > msg.length) return null;
    labels.push(msg.toString('latin1', off, off + len));
    off += len;
  }
  if (off + 4 > msg.length) return null;
  return { name: labels.join('.'), type: msg.readUInt16BE(off), end: off + 4 };
}

function answer(type: number, ip: string, ttl = TTL_SECONDS): Buffer {
  const rdata = Buffer.from(ipaddr.parse(ip).toByteArray());
  const rr = Buffer.alloc(12 + rdata.length);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the question name at offset 12 (RFC 1035 §4.1.4)
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(1, 4); // class IN
  rr.writeUInt32BE(ttl, 6);
  rr.writeUInt16BE(rdata.length, 10);
  rdata.copy(rr, 12);
  return rr;
}

function reply(query: Buffer, questionEnd: number, rcode: number, answers: Buffer[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  const flags = query.readUInt16BE(2);
  // QR, the query's opcode and RD, AA (we are the authority), RA, then the rcode.
  header.writeUInt16BE(0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

function familyOf(ip: string): number {
  return ipaddr.parse(ip).kind() === 'ipv4' ? TYPE_A : TYPE_AAAA;
}

/** Start the server on 127.0.0.1, port 0. */
export async function createTestDnsServer(options: TestDnsServerOptions): Promise<TestDnsServer> {
  const records = new Map<string, { type: number; ip: string }[]>();
  for (const [name, ips] of Object.entries(options.records)) {
    records.set(
      normalise(name),
      ips.map((ip) => ({ type: familyOf(ip), ip })),
    );
  }
  const failures = new Map(Object.entries(options.failures ?? {}).map(([n, f]) => [normalise(n), f]));
  const sequences = new Map(Object.entries(options.sequences ?? {}).map(([n, s]) => [normalise(n), s]));
  // How many questions of each `name/type` a sequence has answered so far.
  const asked = new Map<string, number>();
  const sequenceAnswer = (name: string, type: number): Buffer[] | null => {
    const steps = sequences.get(name);
    if (steps === undefined) return null;
    const n = asked.get(`${name}/${type}`) ?? 0;
    asked.set(`${name}/${type}`, n + 1);
    const ips = steps[Math.min(n, steps.length - 1)] ?? [];
    return ips.filter((ip) => familyOf(ip) === type).map((ip) => answer(type, ip, 0));
  };
  const queries: string[] = [];
  const questions: TestDnsQuestion[] = [];
  const socket = createSocket('udp4');
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => socket.close());
  socket.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (q === null) return;
    queries.push(q.name);
    questions.push({ name: q.name, type: q.type });
    const key = normalise(q.name);
    const failure = failures.get(key);
    if (failure === 'drop' || (failure === 'drop-aaaa' && q.type === TYPE_AAAA)) return;
    const known = records.get(key);
    const sequenced = sequenceAnswer(key, q.type);
    let out: Buffer;
    if (failure === 'servfail' || failure === 'refused') out = reply(msg, q.end, RCODE[failure], []);
    else if (sequenced !== null) out = reply(msg, q.end, RCODE.ok, sequenced);
    else if (known === undefined) out = reply(msg, q.end, RCODE.nxdomain, []);
    else {
      const answers = known.filter((r) => r.type === q.type).map((r) => answer(r.type, r.ip));
      out = reply(msg, q.end, RCODE.ok, answers);
    }
    socket.send(out, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    queries,
    questions,
    close: () => new Promise<void>((resolve) => (closed ? resolve() : socket.close(() => resolve()))),
  };
}
