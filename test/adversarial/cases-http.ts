/**
 * @module test/adversarial/cases-http
 * HTTP framing and headers: ambiguous framing is refused with 400 and the connection closed; each
 * pipelined request gets its own decision; requests are re-serialised (Host from the absolute URI,
 * hop-by-hop and Proxy-* headers gone); Proxy-Authorization reaches neither an upstream nor a
 * record; an upstream can neither forge Cordon's headers nor frame a response ambiguously.
 */
import assert from 'node:assert/strict';
import { get, raw, statuses, type AdversarialCase } from './cases.js';

const URL_OK = 'http://ok.lab.test/';

const ambiguous = (name: string, head: string, body = ''): AdversarialCase => ({
  name: `${name} → 400, closed`,
  send: raw(`${head}\r\n\r\n${body}`),
  expect: { status: 400, reason: 'bad_request', closed: true },
});

const post = (headers: string): string => `POST ${URL_OK} HTTP/1.1\r\nHost: ok.lab.test\r\n${headers}`;

function upstreamBroken(path: string, what: string): AdversarialCase {
  return {
    name: `an upstream answering with ${what} → 502 upstream_error, both sides closed`,
    send: get(`http://ok.lab.test:8080${path}`),
    expect: { status: 502, reason: 'upstream_error', closed: true, dns: ['ok.lab.test'], reaches: true },
  };
}

const SECRET = 'c2VjcmV0OnBhc3N3b3Jk';
const HIDDEN = 'GET http://metadata.evil.test/ HTTP/1.1\r\nHost: metadata.evil.test\r\n\r\n';

export const FRAMING_CASES: readonly AdversarialCase[] = [
  ambiguous(
    'Transfer-Encoding on HTTP/1.0',
    `POST ${URL_OK} HTTP/1.0\r\nTransfer-Encoding: chunked`,
    '0\r\n\r\n',
  ),
  ambiguous('Transfer-Encoding: gzip, chunked', post('Transfer-Encoding: gzip, chunked'), '0\r\n\r\n'),
  ambiguous(
    'Transfer-Encoding: chunked, identity',
    post('Transfer-Encoding: chunked, identity'),
    '0\r\n\r\n',
  ),
  ambiguous('Transfer-Encoding: xchunked', post('Transfer-Encoding: xchunked'), '0\r\n\r\n'),
  ambiguous(
    'two Transfer-Encoding headers',
    post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked'),
    '0\r\n\r\n',
  ),
  ambiguous(
    'Transfer-Encoding and Content-Length (CL.TE)',
    post('Content-Length: 4\r\nTransfer-Encoding: chunked'),
    '0\r\n\r\n',
  ),
  ambiguous(
    'Transfer-Encoding folded onto a second line',
    post('Transfer-Encoding:\r\n chunked'),
    '0\r\n\r\n',
  ),
  ambiguous(
    'a space before the colon of Transfer-Encoding',
    post('Transfer-Encoding : chunked'),
    '0\r\n\r\n',
  ),
  ambiguous('two equal Content-Length headers', post('Content-Length: 2\r\nContent-Length: 2'), 'ok'),
  ambiguous('two different Content-Length headers', post('Content-Length: 2\r\nContent-Length: 3'), 'ok!'),
  ambiguous('Content-Length: 2, 2', post('Content-Length: 2, 2'), 'ok'),
  ambiguous('Content-Length: +2', post('Content-Length: +2'), 'ok'),
  ambiguous('Content-Length: -1', post('Content-Length: -1')),
  ambiguous('Content-Length: 0x2', post('Content-Length: 0x2'), 'ok'),
  ambiguous('Content-Length over 2^64', post('Content-Length: 18446744073709551618'), 'ok'),
  ambiguous('two Host headers', `GET ${URL_OK} HTTP/1.1\r\nHost: ok.lab.test\r\nhost: evil.example`),
  ambiguous(
    'a TRACE request with a body',
    `TRACE ${URL_OK} HTTP/1.1\r\nHost: ok.lab.test\r\nContent-Length: 2`,
    'ok',
  ),
  ambiguous('bare LF line endings', `GET ${URL_OK} HTTP/1.1\nHost: ok.lab.test\nConnection: close\n`),
  ambiguous('a NUL in a header value', `GET ${URL_OK} HTTP/1.1\r\nHost: ok.lab.test\r\nX-A: a\0b`),
  ambiguous('a space inside a header name', `GET ${URL_OK} HTTP/1.1\r\nHost: ok.lab.test\r\nX A: b`),
  {
    name: 'three pipelined requests, the middle one denied → each decided on its own',
    send: raw(
      `GET http://ok.lab.test/p1 HTTP/1.1\r\nHost: x\r\n\r\n` +
        `GET http://evil.example/p2 HTTP/1.1\r\nHost: x\r\n\r\n` +
        `GET http://ok.lab.test/p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ),
    expect: {
      status: 200,
      reason: 'not_allowlisted',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (o, seen, records) => {
        assert.deepEqual(statuses(o.text), [200, 403, 200]);
        assert.deepEqual(
          seen.httpSeen.map((r) => r.url),
          ['/p1', '/p3'],
        );
        // Records are written as each exchange ends, so compare them by path, not by order.
        assert.deepEqual(records.map((r) => `${r.path} ${r.reason}`).sort(), [
          '/p1 allowed',
          '/p2 not_allowlisted',
          '/p3 allowed',
        ]);
      },
    },
  },
  {
    name: 'a request hidden in a body is a body: never parsed, decided or resolved',
    send: raw(post(`Content-Length: ${HIDDEN.length}\r\nConnection: close\r\n\r\n${HIDDEN}`)),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (_o, seen) => assert.match(seen.httpSeen[0]?.body ?? '', /^GET http:\/\/metadata/),
    },
  },
  upstreamBroken('/dup-cl', 'two different Content-Length headers'),
  upstreamBroken('/cl-list', 'Content-Length: 3, 4'),
  upstreamBroken('/te-cl', 'Transfer-Encoding and Content-Length'),
  {
    name: 'an upstream breaking chunked framing mid-body → the client is cut off',
    send: get('http://ok.lab.test:8080/bad-chunk'),
    expect: {
      // The head and the broken chunk arrive in one read: nothing of the response is relayed.
      status: 0,
      reason: 'upstream_error',
      closed: true,
      dns: ['ok.lab.test'],
      reaches: true,
      check: (o) => assert.ok(!o.text.includes('more') && !o.text.endsWith('0\r\n\r\n'), 'no complete body'),
    },
  },
];

export const HEADER_CASES: readonly AdversarialCase[] = [
  {
    name: 'requests are re-serialised: origin-form, one Host from the URI, no Proxy-* or hop-by-hop',
    send: raw(
      'GET http://ok.lab.test:8080/re?q=1 HTTP/1.1\r\nhost: EVIL.example\r\nx-lower:   padded  \r\n' +
        'Proxy-Connection: keep-alive\r\nKeep-Alive: timeout=99\r\nTE: trailers\r\nTrailer: X-T\r\n' +
        `Proxy-Authorization: Basic ${SECRET}\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\n\r\n`,
    ),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (_o, seen, records) => {
        const got = seen.rawSeen[0] ?? '';
        assert.match(got, /^GET \/re\?q=1 HTTP\/1\.1\r\n/);
        assert.equal(got.match(/^host:/gim)?.length, 1, got);
        assert.match(got, /\r\nHost: ok\.lab\.test:8080\r\n/i);
        assert.match(got, /\r\nx-lower: padded\r\n/i);
        for (const gone of [
          'evil',
          'proxy-',
          'keep-alive: timeout',
          'te:',
          'trailer:',
          'x-secret',
          SECRET.toLowerCase(),
        ]) {
          assert.ok(!got.toLowerCase().includes(gone), `${gone} reached the origin:\n${got}`);
        }
        assert.ok(!JSON.stringify(records).includes(SECRET), 'credentials in a record');
      },
    },
  },
  {
    name: 'Host is regenerated from the absolute URI, whatever the client sent',
    send: raw(
      `GET http://ok.lab.test/host HTTP/1.1\r\nHost: metadata.evil.test\r\nConnection: close\r\n\r\n`,
    ),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (_o, seen) => {
        const h = seen.httpSeen[0]?.rawHeaders ?? [];
        assert.deepEqual(h.filter((_v, i) => i % 2 === 0 && /^host$/i.test(h[i] ?? '')).length, 1);
        assert.equal(h[h.findIndex((v) => /^host$/i.test(v)) + 1], 'ok.lab.test');
      },
    },
  },
  {
    name: 'Proxy-Authorization on a CONNECT reaches neither the tunnel nor the record',
    send: raw(
      `CONNECT ok.lab.test:80 HTTP/1.1\r\nHost: ok.lab.test:80\r\nProxy-Authorization: Basic ${SECRET}\r\n\r\n` +
        'GET /t HTTP/1.1\r\nHost: ok.lab.test\r\nConnection: close\r\n\r\n',
    ),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      closed: true,
      check: (_o, seen, records) => {
        assert.ok(!JSON.stringify(seen.httpSeen).includes(SECRET));
        assert.ok(!JSON.stringify(records).includes(SECRET));
      },
    },
  },
  {
    name: "an upstream cannot forge Cordon's headers or smuggle hop-by-hop ones",
    send: get('http://ok.lab.test/forge'),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (o) => {
        for (const h of Object.keys(o.headers)) assert.ok(!h.startsWith('x-cordon-') && h !== 'x-secret', h);
        assert.notEqual(o.headers['keep-alive'], 'timeout=999');
      },
    },
  },
];
