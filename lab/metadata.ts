/**
 * @module lab/metadata
 * Entry point of the instance-metadata stand-in, run inside the notebook namespace on
 * 169.254.169.254:80 like EC2's IMDS: `node --import tsx lab/metadata.ts`. Answers IMDSv2 tokens
 * (and v1 requests), the instance id, and temporary credentials for the notebook's role, so boto3
 * and the AWS CLI get their credentials the way they do on a SageMaker notebook: directly, never
 * through the proxy. Each request is logged as one JSON line on stdout. Fake credentials only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ADDR } from './state.js';

const ROLE = 'cordon-lab-notebook-role';
const TOKEN = randomBytes(16).toString('hex');

function credentials(): string {
  const now = Date.now();
  return JSON.stringify({
    Code: 'Success',
    LastUpdated: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
    Type: 'AWS-HMAC',
    AccessKeyId: 'ASIALABLABLABLABLAB0',
    SecretAccessKey: 'lab-secret-key-not-a-real-credential',
    Token: 'lab-session-token',
    Expiration: new Date(now + 6 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  });
}

const PAGES: Record<string, () => string> = {
  '/latest/meta-data/': () => 'ami-id\niam/\ninstance-id\nlocal-ipv4\n',
  '/latest/meta-data/ami-id': () => 'ami-0123456789abcdef0',
  '/latest/meta-data/instance-id': () => 'i-0cordonlab0000000',
  '/latest/meta-data/local-ipv4': () => ADDR.notebook,
  '/latest/meta-data/iam/': () => 'security-credentials/\n',
  '/latest/meta-data/iam/security-credentials/': () => ROLE,
  [`/latest/meta-data/iam/security-credentials/${ROLE}`]: credentials,
};

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  res.on('finish', () => {
    const line = { time: new Date().toISOString(), method: req.method, path, status: res.statusCode };
    process.stdout.write(`${JSON.stringify({ ...line, from: req.socket.remoteAddress })}\n`);
  });
  if (req.method === 'PUT' && path === '/latest/api/token') {
    res
      .writeHead(200, { 'content-type': 'text/plain', 'x-aws-ec2-metadata-token-ttl-seconds': '21600' })
      .end(TOKEN);
    return;
  }
  const token = req.headers['x-aws-ec2-metadata-token'];
  if (token !== undefined && token !== TOKEN) {
    res.writeHead(401).end();
    return;
  }
  const page = req.method === 'GET' ? PAGES[path] : undefined;
  if (page === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(page());
}

const server = createServer(handle);
server.on('clientError', (_e, socket) => socket.destroy());
server.listen(80, ADDR.metadata);
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
