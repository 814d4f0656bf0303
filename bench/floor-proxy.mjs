// @module bench/floor-proxy
// The benchmark's "Node floor": about the least a forward proxy written in Node does for the
// benchmark's traffic, run beside Cordon and squid so that every report shows what Node itself
// costs on this machine. NOT a proxy to use: no policy, no DNS (every destination is 127.0.0.1),
// no SNI check, no logs, no timeouts, no limits; GET requests without bodies only, responses framed
// by Content-Length only. Plain JavaScript, so it starts like Cordon (same Node flags, no loader).
//
// Per client connection: finds each request head, rewrites its absolute-form target to origin-form
// and sends it on one upstream connection opened for the first request; finds each response head
// and counts its Content-Length body down as the bytes are relayed. CONNECT: dials, answers 200,
// then relays both ways. Upstream reads use one reused buffer per connection (`onread`), as Cordon's
// do; client reads are Node's default 'data' events.
// Usage: node floor-proxy.mjs PORT (listens on 127.0.0.1; SIGTERM stops it).
import { Buffer } from 'node:buffer';
import { connect, createServer } from 'node:net';

const HEAD_END = '\r\n\r\n';

/** The port of `host:port` (or of `http://host:port`). */
function portOf(authority) {
  return Number(authority.slice(authority.lastIndexOf(':') + 1));
}

/** Content-Length of a response head, 0 when it has none. */
function contentLength(head) {
  const m = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  return m === null ? 0 : Number(m[1]);
}

/** Upstream bytes are read into one buffer per connection and written on at once (as Cordon does). */
const READ_BUFFER = 256 * 1024;

/**
 * Connect to 127.0.0.1:port; every read goes to `client` as is. While a write is still queued its
 * bytes are in the read buffer, so reading pauses until the client has drained.
 */
function dial(port, client, onBytes, onConnect) {
  // Options without a prototype, as Cordon's dial passes them: Node 20 gives a copy of ordinary
  // options fresh hidden classes on every connect (see src/proxy/dial.ts).
  const upstream = connect({
    __proto__: null,
    host: '127.0.0.1',
    port,
    noDelay: true,
    onread: {
      buffer: Buffer.allocUnsafe(READ_BUFFER),
      callback(n, buf) {
        onBytes?.(buf, n);
        client.write(buf.subarray(0, n));
        if (client.writableLength > 0) {
          upstream.pause();
          client.once('drain', () => upstream.resume());
        }
      },
    },
  });
  if (onConnect) upstream.once('connect', onConnect);
  return upstream;
}

/** Keeps track of where each response ends: its head, then its Content-Length body counted down. */
function responseFramer() {
  let head = '';
  let bodyLeft = 0;
  return (buf, n) => {
    for (let at = 0; at < n;) {
      if (bodyLeft > 0) {
        const k = Math.min(bodyLeft, n - at);
        bodyLeft -= k;
        at += k;
        continue;
      }
      const before = head.length;
      head += buf.latin1Slice(at, Math.min(n, at + 16384));
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        at += head.length - before;
        continue;
      }
      at += end + HEAD_END.length - before;
      bodyLeft = contentLength(head.slice(0, end));
      head = '';
    }
  };
}

function serve(client) {
  let pending = '';
  let upstream = null;
  const close = () => {
    client.destroy();
    upstream?.destroy();
  };
  client.on('error', close);
  client.on('close', close);

  const tunnel = (authority, early) => {
    client.off('data', onData);
    client.pause();
    upstream = dial(portOf(authority), client, null, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (early.length > 0) upstream.write(early, 'latin1');
      client.pipe(upstream);
      client.resume();
    });
    upstream.on('error', close);
    upstream.on('close', close);
  };

  const onData = (chunk) => {
    pending += chunk.latin1Slice(0, chunk.length);
    for (let end = pending.indexOf(HEAD_END); end >= 0; end = pending.indexOf(HEAD_END)) {
      const head = pending.slice(0, end + HEAD_END.length);
      pending = pending.slice(end + HEAD_END.length);
      const sp1 = head.indexOf(' ');
      const sp2 = head.indexOf(' ', sp1 + 1);
      const target = head.slice(sp1 + 1, sp2);
      if (head.startsWith('CONNECT ')) {
        tunnel(target, pending);
        return;
      }
      const pathAt = target.indexOf('/', target.indexOf('//') + 2);
      if (upstream === null) {
        upstream = dial(portOf(target.slice(0, pathAt)), client, responseFramer());
        upstream.on('error', close);
        upstream.on('close', close);
      }
      upstream.write(head.slice(0, sp1 + 1) + target.slice(pathAt) + head.slice(sp2), 'latin1');
    }
  };
  client.on('data', onData);
}

const port = Number(process.argv[2]);
createServer({ noDelay: true }, serve).listen(port, '127.0.0.1', 4096);
process.on('SIGTERM', () => process.exit(0));
