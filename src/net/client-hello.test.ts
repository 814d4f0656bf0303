import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClientHelloReader, parseClientHello, type ClientHelloResult } from './client-hello.js';
import {
  buildClientHello,
  buildClientHelloHandshake,
  captureClientHello,
  handshakeOf,
  toRecords,
} from './test-client-hello.js';

const MAX = 32 * 1024;
let withSni: Buffer;
let withoutSni: Buffer;
let withAlpn: Buffer;

before(async () => {
  withSni = await captureClientHello({ servername: 'Files.Example.COM' });
  withoutSni = await captureClientHello({});
  withAlpn = await captureClientHello({ servername: 'example.org.', ALPNProtocols: ['h2', 'http/1.1'] });
});

function hello(result: ClientHelloResult): {
  sni: string | null;
  ech: boolean;
  alpn: string[];
  bytes: Buffer;
} {
  assert.equal(result.kind, 'hello', JSON.stringify(result));
  if (result.kind !== 'hello') throw new Error('unreachable');
  return result;
}

/** Push `buf` in pieces cut at `cuts`, checking that only the last push completes it. */
function pushSplit(buf: Buffer, cuts: number[], maxBytes = MAX): ClientHelloResult {
  const reader = createClientHelloReader({ maxBytes });
  let at = 0;
  let result: ClientHelloResult = { kind: 'need-more' };
  for (const cut of [...cuts, buf.length]) {
    result = reader.push(buf.subarray(at, cut));
    at = cut;
    if (cut < buf.length) assert.equal(result.kind, 'need-more', `cut at ${cut}`);
  }
  return result;
}

void test('real ClientHellos: SNI lowercased without trailing dot, no SNI for an IP, ALPN', () => {
  assert.deepEqual(
    { ...hello(parseClientHello(withSni)), bytes: null },
    {
      kind: 'hello',
      sni: 'files.example.com',
      ech: false,
      alpn: [],
      bytes: null,
    },
  );
  assert.equal(hello(parseClientHello(withoutSni)).sni, null);
  const h = hello(parseClientHello(withAlpn));
  assert.equal(h.sni, 'example.org');
  assert.deepEqual(h.alpn, ['h2', 'http/1.1']);
  assert.ok(h.bytes.equals(withAlpn));
  assert.ok(
    h.bytes.buffer === withAlpn.buffer && h.bytes.byteOffset === withAlpn.byteOffset,
    'one read is not copied',
  );
});

void test('split at every byte boundary, and one byte at a time', () => {
  for (const buf of [withSni, withoutSni, withAlpn]) {
    const expected = hello(parseClientHello(buf));
    for (let cut = 1; cut < buf.length; cut++) {
      const got = hello(pushSplit(buf, [cut]));
      assert.equal(got.sni, expected.sni);
      assert.ok(got.bytes.equals(buf));
    }
    const bytewise = Array.from({ length: buf.length - 1 }, (_, i) => i + 1);
    assert.deepEqual(hello(pushSplit(buf, bytewise)).alpn, expected.alpn);
  }
});

void test('re-split into several TLS records, and those split across reads', () => {
  const handshake = handshakeOf(withAlpn);
  for (const fragment of [1, 2, 3, 4, 5, 7, 64, 100, 511, handshake.length - 1]) {
    const records = toRecords(handshake, fragment);
    const h = hello(parseClientHello(records));
    assert.equal(h.sni, 'example.org', `fragment ${fragment}`);
    assert.deepEqual(h.alpn, ['h2', 'http/1.1']);
    assert.equal(hello(pushSplit(records, [3, 6, 11, Math.floor(records.length / 2)])).sni, 'example.org');
  }
});

void test('every truncation needs more; bytes after the ClientHello are kept to forward', () => {
  for (let len = 0; len < withSni.length; len++) {
    assert.equal(parseClientHello(withSni.subarray(0, len)).kind, 'need-more', `length ${len}`);
  }
  const early = Buffer.from('early data');
  const h = hello(parseClientHello(Buffer.concat([withSni, early])));
  assert.ok(h.bytes.equals(Buffer.concat([withSni, early])));
  const reader = createClientHelloReader({ maxBytes: MAX });
  const first = reader.push(withSni);
  assert.equal(reader.push(early), first, 'results stick once known');
});

void test('maxBytes bounds what is buffered', () => {
  assert.equal(parseClientHello(withSni, withSni.length).kind, 'hello');
  assert.equal(parseClientHello(withSni, withSni.length - 1).kind, 'too-large');
  assert.equal(pushSplit(withSni, [10, 100], withSni.length - 1).kind, 'too-large');
  // A handshake length larger than maxBytes is refused as soon as it is read, without waiting.
  const huge = Buffer.from([22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff]);
  assert.equal(parseClientHello(huge, 4096).kind, 'too-large');
  assert.throws(() => createClientHelloReader({ maxBytes: 0 }), { code: 'CORDON_NET_BAD_OPTION' });
});

void test('non-TLS first bytes', () => {
  const inputs = [
    Buffer.from('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'),
    Buffer.from('CONNECT example.com:443 HTTP/1.1\r\n'),
    Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'),
    Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01]), // SSLv2-style ClientHello
    Buffer.from([22, 0x02, 0x00]),
    Buffer.from([0]),
  ];
  for (const input of inputs) assert.equal(parseClientHello(input).kind, 'not-tls', input.toString('latin1'));
  assert.equal(parseClientHello(Buffer.alloc(0)).kind, 'need-more');
  assert.equal(parseClientHello(Buffer.from([22])).kind, 'need-more');
});

void test('crafted ClientHellos: ECH, SNI validation, duplicates', async (t) => {
  const cases: [string, Buffer, string | { sni: string | null; ech?: boolean }][] = [
    ['ECH', buildClientHello({ sni: ['public.example'], ech: true }), { sni: 'public.example', ech: true }],
    ['underscore', buildClientHello({ sni: ['a_b.example'] }), { sni: 'a_b.example' }],
    ['no extensions', buildClientHello({}), { sni: null }],
    ['non-ASCII', buildClientHello({ sni: [Buffer.from('bücher.de')] }), 'malformed'],
    ['NUL', buildClientHello({ sni: ['good.com\0evil.com'] }), 'malformed'],
    ['space', buildClientHello({ sni: ['a b.com'] }), 'malformed'],
    ['IPv6 literal', buildClientHello({ sni: ['::1'] }), 'malformed'],
    ['empty', buildClientHello({ sni: [''] }), 'malformed'],
    ['only a dot', buildClientHello({ sni: ['.'] }), 'malformed'],
    ['empty label', buildClientHello({ sni: ['a..com'] }), 'malformed'],
    ['two host names', buildClientHello({ sni: ['a.com', 'b.com'] }), 'malformed'],
    ['empty list', buildClientHello({ sni: [] }), 'malformed'],
    ['too long', buildClientHello({ sni: ['a'.repeat(255)] }), 'malformed'],
    [
      'duplicate SNI ext',
      buildClientHello({ sni: ['a.com'], extensions: [{ type: 0, data: Buffer.alloc(0) }] }),
      'malformed',
    ],
    [
      'unknown name type',
      buildClientHello({ extensions: [{ type: 0, data: Buffer.from([0, 4, 1, 0, 1, 0x61]) }] }),
      'malformed',
    ],
    ['empty ALPN', buildClientHello({ alpn: [''] }), 'malformed'],
  ];
  for (const [name, input, expected] of cases) {
    await t.test(name, () => {
      const got = parseClientHello(input);
      if (typeof expected === 'string') assert.equal(got.kind, expected, JSON.stringify(got));
      else {
        const h = hello(got);
        assert.equal(h.sni, expected.sni);
        assert.equal(h.ech, expected.ech ?? false);
      }
    });
  }
});

void test('malformed record layer and handshake framing', () => {
  const handshake = buildClientHelloHandshake({ sni: ['a.com'] });
  const twoRecords = toRecords(handshake, 10);
  const alertSecond = Buffer.from(twoRecords);
  alertSecond[15] = 21; // second record's type: alert
  const versionSecond = Buffer.from(twoRecords);
  versionSecond[16] = 2;
  const serverHello = Buffer.from(handshake);
  serverHello[0] = 2;
  const trailing = toRecords(Buffer.concat([handshake, Buffer.from([20, 0, 0, 0])]));
  const cases: [string, Buffer][] = [
    ['alert record mid-hello', alertSecond],
    ['bad record version mid-hello', versionSecond],
    ['zero-length record', Buffer.from([22, 3, 1, 0, 0])],
    ['record over 2^14', Buffer.from([22, 3, 1, 0x40, 0x01])],
    ['not a ClientHello', toRecords(serverHello)],
    ['data after the ClientHello', trailing],
    ['handshake shorter than its fields', toRecords(Buffer.from([1, 0, 0, 2, 3, 3]))],
  ];
  for (const [name, input] of cases) assert.equal(parseClientHello(input).kind, 'malformed', name);
});
