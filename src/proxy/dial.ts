/**
 * @module proxy/dial
 * After `decide()` allowed a name: resolve it, check every address, and connect to a checked address
 * only. An IP-literal target skips DNS. The dialled address is always a literal, so Node never does a
 * lookup (and never happy-eyeballs to an address nobody checked).
 */
import { connect, type OnReadOpts, type Socket, type TcpNetConnectOpts } from 'node:net';
import { NO_DESCRIPTOR_CODES, PROXY_ERRORS, ProxyError } from './errors.js';
import type { ProxyRuntime } from './runtime.js';

export interface CheckedAddress {
  readonly address: string;
  /** Null when no DNS was needed (IP literal). */
  readonly dnsMs: number | null;
}

/**
 * Check every address of `host`. A name with any refused address is refused as a whole: a public name
 * that also points at a private or metadata address is a rebinding attempt, not a partial success.
 */
function checkAll(
  runtime: ProxyRuntime,
  host: string,
  addresses: readonly string[],
  dnsMs: number | null,
): CheckedAddress {
  for (const address of addresses) {
    const verdict = runtime.guard.check(address);
    if (!verdict.ok) {
      throw new ProxyError(PROXY_ERRORS.blockedAddress, `${host} resolves to ${address} (${verdict.class})`);
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new ProxyError(PROXY_ERRORS.blockedAddress, `${host} has no address`);
  return { address: first, dnsMs };
}

/**
 * The checked address at once when no DNS question is needed (IP literal, `dns.hosts` entry, kept
 * answer), or null; throws like `resolveChecked`. Saves the promise and its turn of the event loop
 * on the common path.
 */
export function checkedNow(runtime: ProxyRuntime, host: string, isIp: boolean): CheckedAddress | null {
  if (isIp) return checkAll(runtime, host, [host], null);
  const known = runtime.resolver.known(host);
  return known === null ? null : checkAll(runtime, host, known.addresses, known.ms);
}

/** Resolve and check (see `checkAll`); `checkedNow` first spares the promise when it can answer. */
export async function resolveChecked(
  runtime: ProxyRuntime,
  host: string,
  isIp: boolean,
): Promise<CheckedAddress> {
  if (isIp) return checkAll(runtime, host, [host], null);
  const { addresses, ms } = await runtime.resolver.resolve(host);
  return checkAll(runtime, host, addresses, ms);
}

/**
 * The options of one dial, in an object without a prototype. Node copies a Socket's options
 * (`{ ...options }`) and adds its own defaults to the copy; on Node 20, V8 gives the copy of an
 * ordinary object fresh hidden classes on every call, so each dial built four new maps and missed
 * the inline caches of everything that read them (a CONNECT cost about a third more CPU; see
 * docs/benchmarks.md, session 11). A copy of a prototype-less object takes V8's generic path, whose
 * hidden classes are shared.
 */
function connectOptions(host: string, port: number, onread: OnReadOpts | undefined): TcpNetConnectOpts {
  const o = Object.create(null) as TcpNetConnectOpts;
  o.host = host;
  o.port = port;
  o.noDelay = true;
  if (onread !== undefined) o.onread = onread;
  return o;
}

/**
 * Connect to a checked address with a deadline. Resolves once the TCP handshake is done. With
 * `onread`, what the socket reads goes to that callback instead of its stream (see downstream.ts).
 */
export function connectChecked(
  address: string,
  port: number,
  timeoutMs: number,
  onread?: OnReadOpts,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(connectOptions(address, port, onread));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProxyError(PROXY_ERRORS.connectTimeout, `connect to ${address}:${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (e: Error): void => {
      clearTimeout(timer);
      const code = (e as NodeJS.ErrnoException).code ?? '';
      // Out of descriptors: socket(2) failed before any packet left. Say so, with a code of ours.
      if (NO_DESCRIPTOR_CODES.has(code)) {
        const why = `no file descriptor free to connect to ${address}:${port} (${code})`;
        reject(new ProxyError(PROXY_ERRORS.noDescriptors, why, { cause: e }));
      } else reject(e);
    };
    socket.once('error', onError);
  });
}
