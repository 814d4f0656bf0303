/**
 * Header hygiene: which fields a forwarded request or response keeps, whatever their case, as a flat
 * list (node engine) and as header lines (fast engine), which must agree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clientResponseHeaders,
  clientResponseLines,
  upstreamRequestHeaders,
  upstreamRequestLines,
} from './headers.js';

const ALWAYS_DROPPED = [
  'Connection',
  'CONNECTION',
  'Keep-Alive',
  'keep-alive',
  'Proxy-Connection',
  'TE',
  'Trailer',
  'Transfer-Encoding',
  'Upgrade',
  'HOST',
  'host',
  'Proxy-Authorization',
  'proxy-',
  'X-Listed',
  'x-listed-too',
];
const KEPT = [
  'Content-Type',
  'Content-Length',
  'Tea',
  'Hosts',
  'Proxy',
  'Upgrade-Insecure-Requests',
  'Keep-Alives',
  'Transfer-Encodings',
  'X-Cordon',
  'Cache-Control',
  '!',
  '9p',
];
const CORDON = ['X-Cordon-Decision', 'x-cordon-reason'];

function raw(): string[] {
  const out: string[] = [];
  for (const name of [...ALWAYS_DROPPED, ...KEPT, ...CORDON]) out.push(name, `v-${name}`);
  // `Connection` names more fields to drop, in any case.
  out.push('connection', 'x-listed, X-LISTED-TOO');
  return out;
}

const names = (flat: readonly string[]): string[] => flat.filter((_, i) => i % 2 === 0);
const asLines = (flat: readonly string[]): string =>
  names(flat)
    .map((n, i) => `${n}: ${flat[2 * i + 1] ?? ''}\r\n`)
    .join('');

test('responses keep end-to-end fields and drop hop-by-hop, Proxy-* and forged X-Cordon-* ones', () => {
  const kept = clientResponseHeaders(raw());
  assert.deepEqual(names(kept), KEPT);
  assert.equal(clientResponseLines(raw()), asLines(kept));
});

test('requests get Host from the target and keep X-Cordon-* (only responses are guarded)', () => {
  const kept = upstreamRequestHeaders(raw(), 'files.example.org:8080');
  assert.deepEqual(names(kept), ['Host', ...KEPT, ...CORDON]);
  assert.equal(kept[1], 'files.example.org:8080');
  assert.equal(upstreamRequestLines(raw(), 'files.example.org:8080'), asLines(kept));
});

test('without a Connection header, fixed names are still dropped in any case', () => {
  const flat = ['TRANSFER-ENCODING', 'chunked', 'Via', '1.1 x', 'proxy-Authenticate', 'Basic', 'te', 'x'];
  assert.deepEqual(clientResponseHeaders(flat), ['Via', '1.1 x']);
  assert.equal(clientResponseLines(flat), 'Via: 1.1 x\r\n');
});

test('Connection values that name fixed hop-by-hop fields change nothing; others still drop their field', () => {
  const flat = ['Connection', 'Keep-Alive, TE', 'Keep-Alive', 'timeout=5', 'Close', 'x', 'Via', '1.1 x'];
  assert.deepEqual(clientResponseHeaders(flat), ['Close', 'x', 'Via', '1.1 x']);
  const closing = ['Connection', 'keep-alive, close', 'Close', 'x', 'Via', '1.1 x'];
  assert.deepEqual(clientResponseHeaders(closing), ['Via', '1.1 x']);
  assert.equal(clientResponseLines(closing), 'Via: 1.1 x\r\n');
});

test('a Connection header naming one field drops it as a list does, with or without spaces and case', () => {
  for (const value of ['X-Secret', ' x-secret ', 'X-SECRET']) {
    const flat = ['Connection', value, 'x-secret', 'v', 'Via', '1.1 x'];
    assert.deepEqual(clientResponseHeaders(flat), ['Via', '1.1 x'], value);
    assert.equal(clientResponseLines(flat), 'Via: 1.1 x\r\n', value);
    assert.deepEqual(names(upstreamRequestHeaders(flat, 'h')), ['Host', 'Via'], value);
  }
});
