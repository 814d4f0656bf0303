/**
 * @module proxy/headers
 * Header hygiene for forwarded messages (RFC 9110 §7.6.1): drop hop-by-hop headers, every header
 * named in `Connection`, every `Proxy-*` header, the client's `Host` (regenerated from the absolute
 * URI) and, on responses, anything pretending to be Cordon's own `X-Cordon-*` headers.
 */

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function connectionTokens(raw: readonly string[]): Set<string> | null {
  let tokens: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const value = raw[i + 1] ?? '';
    // Most values are one token (`keep-alive`, `close`): no list to split.
    if (!value.includes(',')) tokens = addToken(tokens, value);
    else for (const t of value.split(',')) tokens = addToken(tokens, t);
  }
  return tokens;
}

function addToken(tokens: Set<string> | null, text: string): Set<string> | null {
  const token = text.trim().toLowerCase();
  // `keep-alive` and the like are dropped anyway: no set for the usual `Connection` values.
  if (token && !HOP_BY_HOP.has(token)) (tokens ??= new Set()).add(token);
  return tokens;
}

/**
 * Whether a name (a token, so ASCII) could be one of the fixed names dropped, by its first letter and
 * length: most names are not, and need no lowercased copy to say so.
 */
function candidate(name: string, dropCordon: boolean): boolean {
  const n = name.length;
  switch (name.charCodeAt(0) | 0x20) {
    case 0x63: // connection
    case 0x6b: // keep-alive
      return n === 10;
    case 0x68: // host
      return n === 4;
    case 0x70: // proxy-*
      return n >= 6;
    case 0x74: // te, trailer, transfer-encoding
      return n === 2 || n === 7 || n === 17;
    case 0x75: // upgrade
      return n === 7;
    case 0x78: // x-cordon-*
      return dropCordon && n >= 9;
    default:
      return false;
  }
}

function dropped(name: string, named: Set<string> | null, dropCordon: boolean): boolean {
  if (named === null && !candidate(name, dropCordon)) return false;
  const lower = name.toLowerCase();
  return (
    HOP_BY_HOP.has(lower) ||
    lower.startsWith('proxy-') ||
    named?.has(lower) === true ||
    (dropCordon && lower.startsWith('x-cordon-'))
  );
}

function filter(raw: readonly string[], dropCordon: boolean): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!dropped(name, named, dropCordon)) out.push(name, raw[i + 1] ?? '');
  }
  return out;
}

/** The kept fields as header lines (`Name: value` CRLF each) after `first`, built in one pass. */
function lines(raw: readonly string[], dropCordon: boolean, first: string): string {
  const named = connectionTokens(raw);
  let s = first;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!dropped(name, named, dropCordon)) s += `${name}: ${raw[i + 1] ?? ''}\r\n`;
  }
  return s;
}

/** Request headers to send upstream (flat raw list), with `Host` set from the target. */
export function upstreamRequestHeaders(raw: readonly string[], hostHeader: string): string[] {
  const out = filter(raw, false);
  out.unshift('Host', hostHeader);
  return out;
}

/** Response headers to send to the client (flat raw list). */
export function clientResponseHeaders(raw: readonly string[]): string[] {
  return filter(raw, true);
}

/** `upstreamRequestHeaders` as header lines. */
export function upstreamRequestLines(raw: readonly string[], hostHeader: string): string {
  return lines(raw, false, `Host: ${hostHeader}\r\n`);
}

/** `clientResponseHeaders` as header lines. */
export function clientResponseLines(raw: readonly string[]): string {
  return lines(raw, true, '');
}

/** The Host header value for a target: port omitted when it is the scheme's default. */
export function hostHeaderFor(host: string, port: number, defaultPort: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === defaultPort ? h : `${h}:${port}`;
}
