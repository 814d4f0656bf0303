/**
 * @module gateway/policy-source
 * Remote policy sources: an S3 object (`s3://bucket/key`) or an SSM parameter (`ssm:/name`), read
 * with the AWS SDK v3 and the instance role (no keys in config). Fetching is cheap when nothing
 * changed: S3 answers 304 to `If-None-Match` with the last ETag, SSM's parameter version is compared.
 * Only fetches; validating and swapping is the gateway's job.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { CordonError } from '../errors.js';

// The SDK clients are loaded on first use: a gateway with a file policy never pays their start-up
// time and memory.

export const SOURCE_ERRORS = {
  badSource: 'CORDON_SOURCE_BAD_URI',
  fetch: 'CORDON_SOURCE_FETCH',
} as const;

export interface RemotePolicy {
  readonly text: string;
  /** S3 version id or ETag, or the SSM parameter version. */
  readonly version: string;
}

export interface PolicySource {
  readonly uri: string;
  /** The document if it changed since `version` (null: fetch unconditionally); null when unchanged. */
  fetch(version: string | null): Promise<RemotePolicy | null>;
  close(): void;
}

export interface PolicySourceOptions {
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
}

function s3Source(uri: string, bucket: string, key: string, o: PolicySourceOptions): PolicySource {
  let client: S3Client | undefined;
  return {
    uri,
    async fetch(version) {
      try {
        const sdk = await import('@aws-sdk/client-s3');
        client ??= new sdk.S3Client({
          region: o.region ?? process.env.AWS_REGION ?? 'us-east-1',
          endpoint: o.endpoint,
          forcePathStyle: o.endpoint !== undefined,
        });
        const out = await client.send(
          new sdk.GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: version ?? undefined }),
        );
        const text = (await out.Body?.transformToString('utf8')) ?? '';
        return { text, version: out.ETag ?? out.VersionId ?? '' };
      } catch (e: unknown) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 304) return null;
        throw new CordonError(
          SOURCE_ERRORS.fetch,
          `could not read ${uri}: ${e instanceof Error ? e.name + ': ' + e.message : String(e)}`,
          { cause: e },
        );
      }
    },
    close: () => client?.destroy(),
  };
}

function ssmSource(uri: string, name: string, o: PolicySourceOptions): PolicySource {
  let client: SSMClient | undefined;
  return {
    uri,
    async fetch(version) {
      try {
        const sdk = await import('@aws-sdk/client-ssm');
        client ??= new sdk.SSMClient({
          region: o.region ?? process.env.AWS_REGION ?? 'us-east-1',
          endpoint: o.endpoint,
        });
        const out = await client.send(new sdk.GetParameterCommand({ Name: name, WithDecryption: true }));
        const v = String(out.Parameter?.Version ?? '');
        if (version !== null && v === version) return null;
        return { text: out.Parameter?.Value ?? '', version: v };
      } catch (e: unknown) {
        throw new CordonError(
          SOURCE_ERRORS.fetch,
          `could not read ${uri}: ${e instanceof Error ? e.name + ': ' + e.message : String(e)}`,
          { cause: e },
        );
      }
    },
    close: () => client?.destroy(),
  };
}

/** The source named by `policy.source`, or null for `file:` (the local file is the policy). */
export function createPolicySource(uri: string, o: PolicySourceOptions = {}): PolicySource | null {
  if (uri === 'file:' || uri === '') return null;
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  if (s3) return s3Source(uri, s3[1] ?? '', s3[2] ?? '', o);
  const ssm = /^ssm:(\/[A-Za-z0-9_.\-/]+)$/.exec(uri);
  if (ssm) return ssmSource(uri, ssm[1] ?? '', o);
  throw new CordonError(
    SOURCE_ERRORS.badSource,
    `policy.source ${JSON.stringify(uri)} is not supported: write file:, s3://bucket/key or ssm:/parameter/name`,
  );
}
