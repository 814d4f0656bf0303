/**
 * @module config/schema
 * The zod schema of cordon.yaml: every key, its type and its default. Unknown keys are errors
 * (`.strict()` everywhere). Defaults live here and only here; `defaults.ts` holds the built-in policy.
 */
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);
/** Upper bound of `workers`: far above any core count, low enough to catch a typo (3000 for 30). */
export const MAX_WORKERS = 256;
const durationMs = z
  .number()
  .int()
  .min(1)
  .max(24 * 3600 * 1000);

const schemeSection = (defaultPort: number) =>
  z
    .object({
      ports: z.array(port).min(1).default([defaultPort]),
      allow: z.array(z.string().min(1)).default([]),
      allowFiles: z.array(z.string().min(1)).default([]),
    })
    .strict()
    .prefault({});

export const modeSchema = z.enum(['enforce', 'report', 'learn']);

/**
 * `learn` without `learnUntil` would report forever and never enforce: an error, reported on the
 * `mode` line with what to write. Runs even when other keys are wrong (`when`), so every problem
 * shows in one pass; the fix goes in the issue's params for config/zod-issues to show.
 */
const learnNeedsDate = {
  // With `when`, the value may be anything the YAML held (null, a number): look before reading.
  check: (v: unknown, ctx: z.RefinementCtx): void => {
    if (typeof v !== 'object' || v === null) return;
    const { mode, learnUntil } = v as { mode?: unknown; learnUntil?: unknown };
    if (mode !== 'learn' || learnUntil !== undefined) return;
    ctx.addIssue({
      code: 'custom',
      path: ['mode'],
      message: 'learn mode needs learnUntil, the date it starts enforcing',
      params: {
        fix: 'add learnUntil: 2030-01-01T00:00:00Z (ISO 8601 with a time zone) beside mode: learn, or use mode: report to only log would-be denials',
      },
    });
  },
  opts: { when: () => true },
};

const groupSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, - and _'),
    clients: z.array(z.string().min(1)).min(1),
    /** Unset: the top-level `mode` and `learnUntil`. Set to `learn`: needs its own `learnUntil`. */
    mode: modeSchema.optional(),
    learnUntil: z.string().datetime({ offset: true }).optional(),
    /** When true (the default) the group also gets the top-level allowlists. */
    inherit: z.boolean().default(true),
    http: schemeSection(80),
    https: schemeSection(443),
  })
  .strict()
  .superRefine(learnNeedsDate.check, learnNeedsDate.opts);

export const configSchema = z
  .object({
    listen: z.string().default('0.0.0.0:3128'),
    clients: z
      .array(z.string().min(1))
      .default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '::1/128', 'fc00::/7']),
    mode: modeSchema.default('enforce'),
    learnUntil: z.string().datetime({ offset: true }).optional(),
    http: schemeSection(80),
    https: schemeSection(443),
    groups: z.array(groupSchema).default([]),
    dns: z
      .object({
        /** Static name → address map, like squid's hosts_file. */
        hosts: z.record(z.string(), z.string()).prefault({}),
        /** The only non-public ranges that may be dialled. Empty in production. */
        allowPrivate: z.array(z.string()).default([]),
        /** Resolver addresses (`ip` or `ip:port`); empty means the system's. */
        servers: z.array(z.string()).default([]),
        timeoutMs: durationMs.default(5000),
        /** Dial IPv4 addresses before IPv6 ones. */
        preferIpv4: z.boolean().default(true),
        /** Keep DNS answers for their TTL, at most this many seconds; 0 asks DNS for every request. */
        cacheSeconds: z.number().int().min(0).max(86400).default(300),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        /** Refuse a CONNECT whose ClientHello has no SNI. */
        requireSni: z.boolean().default(true),
        /** Refuse non-TLS bytes in a tunnel to a TLS port. */
        requireTls: z.boolean().default(true),
        peekTimeoutMs: durationMs.default(10000),
        maxClientHelloBytes: z.number().int().min(512).max(65536).default(16384),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        /** squid-format access log path; null to disable. */
        access: z.string().nullable().default(null),
        /** JSON-lines decision log path, `-` for stdout, null to disable. */
        json: z.string().nullable().default('-'),
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    deny: z
      .object({
        message: z.string().default('If you need this destination, ask your platform team to allow it.'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxHeaderBytes: z.number().int().min(1024).max(1048576).default(32768),
        maxUrlLength: z.number().int().min(256).max(1048576).default(8192),
        maxHeaders: z.number().int().min(8).max(1000).default(100),
        maxConnections: z.number().int().min(1).default(10000),
        maxConnectionsPerClient: z.number().int().min(1).default(2000),
        /**
         * Open CONNECT tunnels and WebSocket relays, in all. Each holds two descriptors (client and
         * upstream): 8000 stay within a 20000-descriptor limit with room for plain connections.
         */
        maxTunnels: z.number().int().min(1).default(8000),
        /** Per client address: one runaway notebook can take at most an eighth of the tunnels. */
        maxTunnelsPerClient: z.number().int().min(1).default(1000),
      })
      .strict()
      .prefault({}),
    timeouts: z
      .object({
        headersMs: durationMs.default(30000),
        idleMs: durationMs.default(60000),
        connectMs: durationMs.default(10000),
        upstreamHeadersMs: durationMs.default(120000),
        tunnelIdleMs: durationMs.default(600000),
        drainMs: durationMs.default(10000),
      })
      .strict()
      .prefault({}),
    admin: z
      .object({
        listen: z.string().default('127.0.0.1:9090'),
        enabled: z.boolean().default(true),
        metricsPublic: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        dir: z.string().default('./data'),
        /** Raw decisions older than this are pruned from the audit store. */
        retentionDays: z.number().int().min(1).max(3650).default(30),
        /** And at most this many are kept. */
        maxDecisions: z.number().int().min(1000).max(1_000_000_000).default(5_000_000),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        /** `file:` (cordon.yaml itself), `s3://bucket/key` or `ssm:/parameter/name`. */
        source: z.string().default('file:'),
        pollSeconds: z.number().int().min(1).max(86400).default(30),
        /** AWS region of the S3 bucket or SSM parameter; default from the environment/instance. */
        region: z.string().optional(),
        /** Endpoint override (a VPC endpoint, or a local S3-compatible store in tests). */
        endpoint: z.string().url().optional(),
      })
      .strict()
      .prefault({}),
    /** Data-plane engine: `fast` (own strict HTTP/1.1 framing on raw sockets) or `node` (node:http). */
    engine: z.enum(['fast', 'node']).default('fast'),
    /**
     * Data-plane processes: 1 runs everything in one process; N > 1 (or `auto`, one per core) runs
     * N workers under node:cluster with the control plane in the primary. Read at start only.
     */
    workers: z
      .union([z.number().int().min(1).max(MAX_WORKERS), z.literal('auto')], {
        error: `use a whole number of worker processes from 1 to ${MAX_WORKERS}, or auto (one per core)`,
      })
      .default(1),
  })
  .strict()
  .superRefine(learnNeedsDate.check, learnNeedsDate.opts);

/** cordon.yaml as written (input side of the schema). */
export type CordonConfigInput = z.input<typeof configSchema>;
/** cordon.yaml after validation and defaults. Paths are still as written. */
export type CordonConfig = z.output<typeof configSchema>;
