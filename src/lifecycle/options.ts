/**
 * @module lifecycle/options
 * Validation of the lifecycle script's options: the proxy URL, NO_PROXY entries, the CA PEM and the
 * target root. Everything that ends up inside the generated bash script passes through here first, so
 * the script never has to quote an untrusted value. Pure; no I/O.
 */
import { X509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { LIFECYCLE_ERRORS, LifecycleError, quote } from './errors.js';

/** Options of `lifecycleScript()`. */
export interface LifecycleOptions {
  /** The Cordon proxy, `http://HOST:PORT` (plain HTTP: clients send CONNECT for HTTPS). */
  proxy: string;
  /** Extra NO_PROXY entries: hostnames, `.domains`, IP addresses or CIDRs (e.g. VPC endpoint names). */
  noProxy?: readonly string[];
  /** PEM of the CA that signs inspected TLS traffic; installs it and points every client at it. */
  caPem?: string;
  /** Apply the script to this directory tree instead of `/` (testing, image building). */
  root?: string;
}

/** Validated, normalised options. */
export interface LifecycleSettings {
  proxy: string;
  /** Always starts with the metadata service and loopback; deduplicated, lowercase. */
  noProxy: readonly string[];
  caPem: string | undefined;
  /** '' for `/`. */
  root: string;
}

/** Always bypass the proxy: the instance metadata service (the role's credentials) and loopback. */
export const ALWAYS_NO_PROXY = ['169.254.169.254', 'localhost', '127.0.0.1'] as const;

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const DOMAIN = new RegExp(`^\\.${LABEL}(?:\\.${LABEL})*$`);
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;
const ROOT_PATH = /^\/[A-Za-z0-9._/-]*$/;

function bad(what: string, value: string, fix: string): LifecycleError {
  return new LifecycleError(LIFECYCLE_ERRORS.badOption, `lifecycle: ${what} ${quote(value)}: ${fix}`);
}

function isIp(value: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(value) || (value.includes(':') && ipaddr.IPv6.isValid(value));
}

function isCidr(value: string): boolean {
  const [addr, bits, extra] = value.split('/');
  if (addr === undefined || bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits))
    return false;
  if (!isIp(addr)) return false;
  return Number(bits) <= (addr.includes(':') ? 128 : 32);
}

function hostOk(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return ipaddr.IPv6.isValid(host.slice(1, -1));
  return isIp(host) || HOSTNAME.test(host);
}

/** Check and normalise the proxy URL to `http://host:port`. */
export function parseProxyUrl(value: string): string {
  const fix = 'write it as http://HOST:PORT, e.g. http://proxy.internal:3128';
  const m = /^http:\/\/([^/?#@\s]+):(\d{1,5})\/?$/i.exec(value);
  if (m === null) {
    if (/^https:/i.test(value)) throw bad('proxy', value, `Cordon speaks plain HTTP to clients; ${fix}`);
    if (value.includes('@')) throw bad('proxy', value, `credentials would be world-readable; ${fix}`);
    throw bad('proxy', value, fix);
  }
  const host = (m[1] ?? '').toLowerCase();
  const port = Number(m[2]);
  if (!hostOk(host)) throw bad('proxy host', host, `use a DNS name or an IP address; ${fix}`);
  if (port < 1 || port > 65535) throw bad('proxy port', String(m[2]), 'use a port from 1 to 65535');
  return `http://${host}:${port}`;
}

/** Check one NO_PROXY entry; returns it lowercased. */
export function parseNoProxyEntry(value: string): string {
  const entry = value.trim().toLowerCase();
  if (entry === '*')
    throw bad('no-proxy entry', value, '"*" would send everything around the proxy; list hosts');
  if (entry.startsWith('*.')) {
    throw bad('no-proxy entry', value, `write ${quote(entry.slice(1))} for a domain and its subdomains`);
  }
  if (HOSTNAME.test(entry) || DOMAIN.test(entry) || isIp(entry) || isCidr(entry)) return entry;
  throw bad(
    'no-proxy entry',
    value,
    'use a hostname, a .domain, an IP address or a CIDR (no spaces or quotes)',
  );
}

/** Check the CA: one or more PEM certificates, nothing else, each a CA certificate. */
export function parseCaPem(value: string): string {
  if (/PRIVATE KEY/.test(value)) {
    throw bad('CA PEM', value.slice(0, 40), 'it contains a private key; pass only the CA certificate');
  }
  const blocks = value.match(PEM_BLOCK) ?? [];
  const rest = value.replace(PEM_BLOCK, '').trim();
  if (blocks.length === 0 || rest !== '') {
    throw bad('CA PEM', value.slice(0, 40), 'pass a file of -----BEGIN CERTIFICATE----- blocks only');
  }
  for (const block of blocks) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      throw bad('CA PEM', block.slice(28, 68), 'a certificate block does not parse; export the CA again');
    }
    if (!cert.ca)
      throw bad('CA certificate', cert.subject, 'is not a CA (basicConstraints CA:FALSE); pass the CA');
  }
  return `${blocks.map((b) => b.replace(/\r/g, '')).join('\n')}\n`;
}

function parseRoot(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  if (!ROOT_PATH.test(value) || value.split('/').includes('..')) {
    throw bad('root', value, 'use an absolute path of letters, digits, ".", "_", "-" and "/"');
  }
  return value.replace(/\/+$/, '');
}

/** Validate and normalise every option; throws `CORDON_LIFECYCLE_BAD_OPTION` naming the value and fix. */
export function parseLifecycleOptions(opts: LifecycleOptions): LifecycleSettings {
  const proxy = parseProxyUrl(opts.proxy);
  const noProxy = [
    ...new Set([
      ...ALWAYS_NO_PROXY,
      ...(opts.noProxy ?? []).filter((e) => e.trim() !== '').map(parseNoProxyEntry),
    ]),
  ];
  const caPem = opts.caPem === undefined ? undefined : parseCaPem(opts.caPem);
  return { proxy, noProxy, caPem, root: parseRoot(opts.root) };
}
