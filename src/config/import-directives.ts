/**
 * @module config/import-directives
 * The squid.conf directives other than `acl` and `http_access`: `http_port` → `listen`,
 * `access_log` → `log.access`, `dns_nameservers` → `dns.servers`; everything else is reported as
 * not mapped, with why it is not needed or what to write instead. Pure.
 */
import { isStrictIp } from './allowlist.js';
import { listenProblem } from './checks.js';
import type { ImportContext } from './import-squid.js';

/** Settings mapped from squid directives; absent keys keep cordon's defaults. */
export interface ImportSettings {
  listen?: string;
  /** null = `access_log none`. */
  accessLog?: string | null;
  dnsServers?: string[];
}

const NO_CACHE = 'cordon does not cache; nothing to map';
const PROCESS = 'a squid process setting; cordon needs no equivalent';
const HEADERS =
  'cordon rewrites headers by fixed rules (drops hop-by-hop and Proxy-* headers); not configurable';
const NO_TLS = 'TLS interception settings are not imported';

/** Why a directive has no cordon equivalent. */
const WHY: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'cache',
      'cache_dir',
      'cache_mem',
      'maximum_object_size',
      'maximum_object_size_in_memory',
      'minimum_object_size',
      'refresh_pattern',
      'cache_replacement_policy',
      'memory_replacement_policy',
      'cache_store_log',
      'cache_swap_low',
      'cache_swap_high',
      'range_offset_limit',
      'quick_abort_min',
      'quick_abort_max',
      'quick_abort_pct',
      'store_dir_select_algorithm',
    ].map((d) => [d, NO_CACHE]),
  ),
  ...Object.fromEntries(
    [
      'pid_filename',
      'cache_effective_user',
      'cache_effective_group',
      'workers',
      'visible_hostname',
      'cache_mgr',
      'shutdown_lifetime',
      'unique_hostname',
      'logfile_rotate',
    ].map((d) => [d, PROCESS]),
  ),
  ...Object.fromEntries(
    [
      'via',
      'forwarded_for',
      'request_header_access',
      'reply_header_access',
      'request_header_replace',
      'httpd_suppress_version_string',
    ].map((d) => [d, HEADERS]),
  ),
  ...Object.fromEntries(
    [
      'ssl_bump',
      'sslcrtd_program',
      'sslcrtd_children',
      'sslproxy_cert_error',
      'https_port',
      'tls_outgoing_options',
    ].map((d) => [d, NO_TLS]),
  ),
  coredump_dir: 'cordon keeps its data in storage.dir; no core dump folder is needed',
  cache_log: "cordon's own log goes to stderr; decisions go to log.json",
  hosts_file: 'put the names you need in dns.hosts',
  dns_v4_first: 'cordon prefers IPv4 by default (dns.preferIpv4)',
  auth_param: 'cordon does not authenticate clients; scope rules by client address with groups',
  include: 'include files are not followed; import their directives separately',
  url_rewrite_program: 'cordon does not rewrite URLs',
  url_rewrite_access: 'cordon does not rewrite URLs',
  cache_peer: 'cordon has no parent proxies; it connects to destinations itself',
  never_direct: 'cordon has no parent proxies; it connects to destinations itself',
  always_direct: 'cordon has no parent proxies; it connects to destinations itself',
  icp_port: 'cordon has no ICP',
  icp_access: 'cordon has no ICP',
  htcp_port: 'cordon has no HTCP',
  htcp_access: 'cordon has no HTCP',
  snmp_port: 'cordon has no SNMP; metrics are at /metrics on the admin port',
  snmp_access: 'cordon has no SNMP; metrics are at /metrics on the admin port',
  connect_timeout: 'set timeouts.connectMs in cordon.yaml',
  read_timeout: 'set timeouts.idleMs / timeouts.tunnelIdleMs in cordon.yaml',
  request_timeout: 'set timeouts.headersMs in cordon.yaml',
};

/** Map the non-ACL directives, reporting every line it cannot map. */
export function mapDirectives(ctx: ImportContext): ImportSettings {
  const out: ImportSettings = {};
  for (const l of ctx.lines) {
    const [first, ...rest] = l.args;
    switch (l.name) {
      case 'acl':
      case 'http_access':
        break;
      case 'http_port':
        if (out.listen !== undefined)
          ctx.skip(l.line, 'cordon has one proxy listener; only the first http_port is mapped');
        else mapPort(ctx, l.line, first, rest, out);
        break;
      case 'access_log':
        if (out.accessLog !== undefined)
          ctx.skip(l.line, 'cordon writes one squid-format access log; only the first is mapped');
        else mapAccessLog(ctx, l.line, first, rest, out);
        break;
      case 'dns_nameservers': {
        const bad = l.args.filter((a) => !isStrictIp(a));
        if (bad.length > 0) ctx.skip(l.line, `not IP addresses: ${bad.join(', ')}`);
        else out.dnsServers = [...(out.dnsServers ?? []), ...l.args];
        break;
      }
      default:
        ctx.skip(l.line, WHY[l.name] ?? `${l.name} has no cordon equivalent`);
    }
  }
  return out;
}

function mapPort(
  ctx: ImportContext,
  line: number,
  addr: string | undefined,
  options: string[],
  out: ImportSettings,
): void {
  const listen = addr === undefined ? '' : /^\d+$/.test(addr) ? `0.0.0.0:${addr}` : addr;
  if (listenProblem(listen) !== null) {
    ctx.skip(line, 'not a PORT or HOST:PORT address');
    return;
  }
  out.listen = listen;
  if (options.length > 0) {
    ctx.skip(
      line,
      `options ${options.join(' ')} are not supported: cordon is an explicit forward proxy (the address was mapped)`,
    );
  }
}

function mapAccessLog(
  ctx: ImportContext,
  line: number,
  dest: string | undefined,
  rest: string[],
  out: ImportSettings,
): void {
  if (dest === 'none') {
    out.accessLog = null;
    return;
  }
  const path = dest?.replace(/^(stdio|daemon):/, '');
  if (path === undefined || !path.startsWith('/')) {
    ctx.skip(line, 'only file destinations are mapped (stdio:/path, daemon:/path or /path)');
    return;
  }
  out.accessLog = path;
  // New syntax: `logformat=NAME` among key=value options; old syntax: the format name comes second.
  const named = rest.find((a) => a.startsWith('logformat='))?.slice('logformat='.length);
  const plain = rest.filter((a) => !a.includes('='));
  const format = named ?? plain[0];
  const acls = named === undefined ? plain.slice(1) : plain;
  if (format !== undefined && format !== 'squid') {
    ctx.skip(
      line,
      `cordon writes squid's native format, not ${format}; decisions in JSON go to log.json (the path was mapped)`,
    );
  } else if (acls.length > 0) {
    ctx.skip(
      line,
      'conditional logging (acls on access_log) is not supported; cordon logs every request (the path was mapped)',
    );
  }
}
