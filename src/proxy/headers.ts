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
    if ((raw[i] ?? '').toLowerCase() !== 'connection') continue;
    for (const t of (raw[i + 1] ?? '').split(',')) {
      const name = t.trim().toLowerCase();
      if (name) (tokens ??= new Set()).add(name);
    }
  }
  return tokens;
}

function filter(raw: readonly string[], dropCordon: boolean): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower.startsWith('proxy-')) continue;
    if (named?.has(lower)) continue;
    if (dropCordon && lower.startsWith('x-cordon-')) continue;
    out.push(name, raw[i + 1] ?? '');
  }
  return out;
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

/** The Host header value for a target: port omitted when it is the scheme's default. */
export function hostHeaderFor(host: string, port: number, defaultPort: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === defaultPort ? h : `${h}:${port}`;
}
