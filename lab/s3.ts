/**
 * @module lab/s3
 * A read-only S3-compatible handler for the lab's object store: ListBuckets, HeadBucket,
 * ListObjects(V2), HeadObject and GetObject over a folder of buckets, path-style
 * (`s3.lab.test/BUCKET/KEY`) and virtual-hosted-style (`BUCKET.s3.lab.test/KEY`). Enough for boto3's
 * `get_object` and `aws s3 cp`. Signatures are not verified: the lab tests the network path, not
 * AWS authentication. Must not write anything.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';

const XML = 'application/xml';

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
  res.writeHead(status, { 'content-type': XML, 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

/** Every object key under a bucket folder, sorted, with `/` as separator. */
function listKeys(dir: string, base = dir): string[] {
  const keys: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) keys.push(...listKeys(p, base));
    else if (e.isFile()) keys.push(relative(base, p).split(sep).join('/'));
  }
  return keys.sort();
}

function etag(data: Buffer): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

function listObjects(res: ServerResponse, bucket: string, dir: string, url: URL): void {
  const prefix = url.searchParams.get('prefix') ?? '';
  const contents = listKeys(dir)
    .filter((k) => k.startsWith(prefix))
    .map((k) => {
      const p = join(dir, ...k.split('/'));
      const st = statSync(p);
      return (
        `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${st.mtime.toISOString()}</LastModified>` +
        `<ETag>${xmlEscape(etag(readFileSync(p)))}</ETag><Size>${st.size}</Size>` +
        '<StorageClass>STANDARD</StorageClass></Contents>'
      );
    });
  const v2 = url.searchParams.get('list-type') === '2';
  sendXml(
    res,
    200,
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
      (v2 ? `<KeyCount>${contents.length}</KeyCount>` : '<Marker></Marker>') +
      `<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`,
  );
}

function getObject(req: IncomingMessage, res: ServerResponse, file: string): void {
  const data = readFileSync(file);
  // Conditional GET (RFC 9110 §13.1.2), as S3 does: the gateway polls its policy object this way.
  if (req.headers['if-none-match'] === etag(data)) {
    res.writeHead(304, { etag: etag(data) });
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': file.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
    'content-length': data.length,
    etag: etag(data),
    'last-modified': statSync(file).mtime.toUTCString(),
    'accept-ranges': 'none',
  });
  res.end(req.method === 'HEAD' ? undefined : data);
}

/** Split a request into bucket and key, for either addressing style. */
function locate(req: IncomingMessage, host: string, baseHost: string): { bucket: string; key: string } {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  if (host !== baseHost && host.endsWith(`.${baseHost}`)) {
    return { bucket: host.slice(0, -baseHost.length - 1), key: parts.join('/') };
  }
  return { bucket: parts[0] ?? '', key: parts.slice(1).join('/') };
}

/** Handle one S3 request for `host` (the S3 endpoint name or a bucket under it). */
export function handleS3(
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  baseHost: string,
  root: string,
): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const { bucket, key } = locate(req, host, baseHost);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 501, 'NotImplemented', 'the lab object store is read-only');
    return;
  }
  if (bucket === '') {
    const buckets = readdirSync(root).map((b) => `<Bucket><Name>${xmlEscape(b)}</Name></Bucket>`);
    sendXml(
      res,
      200,
      `<ListAllMyBucketsResult><Buckets>${buckets.join('')}</Buckets></ListAllMyBucketsResult>`,
    );
    return;
  }
  const dir = join(root, bucket);
  if (bucket.includes('..') || bucket.includes('/') || !existsSync(dir)) {
    sendError(res, 404, 'NoSuchBucket', `no bucket ${bucket}`);
    return;
  }
  if (key === '') {
    if (req.method === 'HEAD') res.writeHead(200).end();
    else listObjects(res, bucket, dir, url);
    return;
  }
  const file = join(dir, ...key.split('/'));
  if (key.split('/').includes('..') || !existsSync(file) || !statSync(file).isFile()) {
    if (req.method === 'HEAD') res.writeHead(404).end();
    else sendError(res, 404, 'NoSuchKey', `no key ${key}`);
    return;
  }
  getObject(req, res, file);
}
