/**
 * @module config/exfil-routes
 * The table of well-known exfiltration routes that lint warns about: paste sites, file sharing,
 * tunnels and request catchers, chat webhooks, and the cloud endpoints that reach every customer's
 * storage. Data only, plus the S3-endpoint test shared with allowlist validation. No I/O.
 */

/** A host (and all its subdomains) through which data can leave to anyone's account. */
export interface ExfilRoute {
  readonly domain: string;
  /** Short category shown in the warning. */
  readonly kind: 'paste site' | 'file sharing' | 'tunnel or request catcher' | 'chat webhook';
}

const route = (kind: ExfilRoute['kind'], ...domains: string[]): ExfilRoute[] =>
  domains.map((domain) => ({ domain, kind }));

/**
 * Anyone can write to these with their own (or no) account, so a notebook allowed to reach them can
 * upload data to an outsider. Kept short and documented in docs/configuration.md; extend with care.
 */
export const EXFIL_ROUTES: readonly ExfilRoute[] = Object.freeze([
  ...route(
    'paste site',
    'pastebin.com',
    'paste.ee',
    'hastebin.com',
    'dpaste.com',
    'dpaste.org',
    'rentry.co',
    'termbin.com',
    'ix.io',
    'sprunge.us',
    'paste.rs',
    'controlc.com',
    'justpaste.it',
    'gist.github.com',
    'gist.githubusercontent.com',
  ),
  ...route(
    'file sharing',
    'transfer.sh',
    'file.io',
    '0x0.st',
    'tmpfiles.org',
    'gofile.io',
    'catbox.moe',
    'filebin.net',
    'mega.nz',
    'mega.io',
    'mediafire.com',
    'sendspace.com',
    'wetransfer.com',
    'we.tl',
    'dropbox.com',
    'dropboxusercontent.com',
    'drive.google.com',
    'docs.google.com',
    'onedrive.live.com',
    '1drv.ms',
    'box.com',
  ),
  ...route(
    'tunnel or request catcher',
    'ngrok.io',
    'ngrok.app',
    'ngrok-free.app',
    'ngrok-free.dev',
    'trycloudflare.com',
    'loca.lt',
    'serveo.net',
    'webhook.site',
    'requestbin.com',
    'pipedream.net',
    'beeceptor.com',
    'interact.sh',
    'oast.fun',
    'oast.pro',
    'burpcollaborator.net',
  ),
  ...route('chat webhook', 'discord.com', 'discordapp.com', 'hooks.slack.com', 'api.telegram.org'),
]);

/** Parent names of a domain, nearest first: a.b.c → b.c, c. */
function parentsOf(domain: string): string[] {
  const out: string[] = [];
  for (let i = domain.indexOf('.'); i !== -1; i = domain.indexOf('.', i + 1)) out.push(domain.slice(i + 1));
  return out;
}

function indexRoutes(keyOf: (r: ExfilRoute) => string[]): Map<string, ExfilRoute[]> {
  const index = new Map<string, ExfilRoute[]>();
  for (const r of EXFIL_ROUTES) for (const k of keyOf(r)) index.set(k, [...(index.get(k) ?? []), r]);
  return index;
}

const BY_DOMAIN = indexRoutes((r) => [r.domain]);
const BY_PARENT = indexRoutes((r) => parentsOf(r.domain));

/**
 * The routes an entry reaches: the entry's host is a route or lies under one, or (for `.d` and
 * `*.d`) a route lies under `d`. A few map probes per entry.
 */
export function routesReached(prefix: '' | '.' | '*.', domain: string): ExfilRoute[] {
  const hits = new Set<ExfilRoute>();
  for (const name of [domain, ...parentsOf(domain)]) for (const r of BY_DOMAIN.get(name) ?? []) hits.add(r);
  if (prefix !== '') for (const r of BY_PARENT.get(domain) ?? []) hits.add(r);
  return [...hits];
}

const AWS_SUFFIXES = ['.amazonaws.com', '.amazonaws.com.cn'];

/**
 * True for an S3 service endpoint name (`s3.amazonaws.com`, `s3.us-east-1.amazonaws.com`,
 * `s3-us-west-2.amazonaws.com`, `s3.dualstack.eu-west-1.amazonaws.com`, `s3-website-...`): a name
 * that reaches every bucket of every account (path-style), or whose subdomains are every bucket.
 * A bucket's own name (`my-bucket.s3.amazonaws.com`, even `s3-logs.s3.amazonaws.com`) is not.
 */
export function isS3Endpoint(domain: string): boolean {
  const suffix = AWS_SUFFIXES.find((s) => domain.endsWith(s));
  if (suffix === undefined) return false;
  const labels = domain.slice(0, -suffix.length).split('.');
  const [first, ...rest] = labels;
  if (first === undefined || !/^s3(-|$)/.test(first)) return false;
  return !rest.some((l) => /^s3(-|$)/.test(l));
}

/** True when `domain` is `amazonaws.com` (or the China partition's) itself. */
export function isAwsApex(domain: string): boolean {
  return domain === 'amazonaws.com' || domain === 'amazonaws.com.cn';
}

/**
 * Public suffixes (per the Public Suffix List) that allowlist validation accepts as `.x` / `*.x`
 * entries anyway, because lint explains them with a better fix than a rejection could: S3 endpoints
 * ("name the bucket") and githubusercontent.com ("name the host").
 */
export function isLintedSuffix(domain: string): boolean {
  return isS3Endpoint(domain) || domain === 'githubusercontent.com';
}
