/**
 * @module lab/fixtures
 * The content of the lab's "internet", generated at `lab up`: a lab CA and one certificate per HTTPS
 * host, the notebook's trust store (Debian's roots plus the lab CA, the lab's stand-in for the public
 * PKI), the package index with its wheel, and the CSV object of the S3 stand-in. Writes files only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTestCa } from '../test/support/ca.js';
import { runOk } from './exec.js';
import { PYTHON } from './packages.js';
import { HOSTS, PATHS, REPO, S3_BUCKET, S3_KEY } from './state.js';

/** The HTTPS hosts and the names on their certificates. */
export const TLS_HOSTS: Record<string, string[]> = {
  [HOSTS.files.name]: [HOSTS.files.name],
  [HOSTS.pkgs.name]: [HOSTS.pkgs.name],
  // Virtual-hosted-style bucket names (lab-data.s3.lab.test) as well as path-style.
  [HOSTS.s3.name]: [HOSTS.s3.name, `*.${HOSTS.s3.name}`],
  [HOSTS.blocked.name]: [HOSTS.blocked.name],
};

const SYSTEM_ROOTS = '/etc/ssl/certs/ca-certificates.crt';

/** A small CSV, so that `pandas.read_csv` has something real to parse. */
export const CSV = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
4.9,3.0,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.4,3.2,4.5,1.5,versicolor
6.3,3.3,6.0,2.5,virginica
5.8,2.7,5.1,1.9,virginica
`;

function put(path: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
}

export function certPaths(host: string): { cert: string; key: string } {
  return { cert: join(PATHS.certs, `${host}.pem`), key: join(PATHS.certs, `${host}.key`) };
}

async function writeCertificates(): Promise<void> {
  const ca = await createTestCa('Cordon Lab CA');
  put(PATHS.caCert, ca.certPem);
  for (const [host, names] of Object.entries(TLS_HOSTS)) {
    const leaf = await ca.issue(names);
    const p = certPaths(host);
    put(p.cert, leaf.cert);
    put(p.key, leaf.key, 0o600);
  }
  put(PATHS.trust, `${readFileSync(SYSTEM_ROOTS, 'utf8').trimEnd()}\n${ca.certPem}`);
}

/** A PEP 503 "simple" index with one project, built statically under www/pkgs. */
async function writePackageIndex(): Promise<void> {
  const root = join(PATHS.www, HOSTS.pkgs.name);
  const out = await runOk(PYTHON, [join(REPO, 'lab', 'py', 'build_wheel.py'), join(root, 'packages')]);
  const wheel = JSON.parse(out.stdout) as { file: string; sha256: string };
  const page = (title: string, links: string) =>
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n<body>\n${links}\n</body></html>\n`;
  put(join(root, 'simple', 'index.html'), page('Simple index', '<a href="labpkg/">labpkg</a>'));
  put(
    join(root, 'simple', 'labpkg', 'index.html'),
    page(
      'Links for labpkg',
      `<a href="../../packages/${wheel.file}#sha256=${wheel.sha256}">${wheel.file}</a>`,
    ),
  );
}

/** Everything the internet namespace serves. */
export async function writeFixtures(): Promise<void> {
  await writeCertificates();
  await writePackageIndex();
  put(join(PATHS.www, HOSTS.files.name, 'hello.txt'), `hello from ${HOSTS.files.name}\n`);
  put(join(PATHS.www, HOSTS.plain.name, 'index.html'), `hello from ${HOSTS.plain.name} over plain HTTP\n`);
  put(
    join(PATHS.www, HOSTS.blocked.name, 'index.html'),
    'If you can read this, the egress policy is broken.\n',
  );
  put(join(PATHS.s3, S3_BUCKET, S3_KEY), CSV);
}
