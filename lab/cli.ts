/**
 * @module lab/cli
 * `npm run lab` (`lab/cli.ts up`) and `npm run lab:down` (`lab/cli.ts down`); `lab/cli.ts deps`
 * only installs the Debian packages the lab needs (for a test runner to call before the tests, so
 * that apt-get time does not count against a test timeout). The only lab file that sets the exit code. Prints how to get a shell inside the notebook and what to try there.
 */
import { relative } from 'node:path';
import { errorMessage } from '../src/errors.js';
import { assertRoot, labDown, labUp } from './lab.js';
import { ensurePackages } from './packages.js';
import { HOSTS, PATHS, PROXY_URL, REPO, S3_BUCKET, S3_KEY, type LabState } from './state.js';

const rel = (p: string): string => relative(REPO, p);

/** What to type in the notebook, and what it shows. */
function tries(): string {
  const lines: [string, string][] = [
    ['env | grep -i proxy', 'what the lifecycle script set'],
    [`curl https://${HOSTS.files.name}/hello.txt`, 'allowlisted HTTPS: works'],
    [`curl http://${HOSTS.plain.name}/`, 'allowlisted HTTP: works'],
    [`curl -i http://${HOSTS.blocked.name}/`, "not allowlisted: Cordon's 403, and why"],
    [`curl -v https://${HOSTS.blocked.name}/`, 'the same for HTTPS, at CONNECT'],
    [`python3 -m pip install --target /tmp/labpkg --index-url https://${HOSTS.pkgs.name}/simple/ labpkg`, ''],
    [`python3 ${REPO}/lab/py/read_csv.py`, 'pandas + boto3, from the S3 stand-in'],
    [
      `aws s3 cp s3://${S3_BUCKET}/${S3_KEY} - --endpoint-url https://${HOSTS.s3.name} --region us-east-1`,
      '',
    ],
    [`curl --noproxy '*' https://${HOSTS.files.name}/`, 'around the proxy: no route'],
    ['curl http://169.254.169.254/latest/meta-data/', 'metadata: direct (NO_PROXY)'],
    [`curl -i --noproxy '' -x "$HTTP_PROXY" http://169.254.169.254/`, 'metadata via the proxy: refused'],
    [`curl -v https://${HOSTS.rebind.name}/`, 'allowlisted, but resolves to 169.254.169.254'],
    [
      `HOME=/home/ec2-user node ${PATHS.cordonCli} doctor --root "$LAB_ROOT" --direct ${HOSTS.files.addr}:443`,
      '',
    ],
  ];
  const width = Math.max(...lines.filter(([, c]) => c !== '').map(([cmd]) => cmd.length)) + 2;
  return lines.map(([cmd, c]) => (c === '' ? `  ${cmd}` : `  ${cmd.padEnd(width)}# ${c}`)).join('\n');
}

function instructions(state: LabState): string {
  const nb = rel(PATHS.notebookSh);
  return `
The Cordon lab is up (id ${state.id}).

  notebook  ${state.namespaces.notebook}   10.213.1.10, a route to the gateway and nothing else;
                                         metadata stand-in on 169.254.169.254
  gateway   ${state.namespaces.gateway}   Cordon on ${PROXY_URL}, installed from \`npm pack\` by
                                         infra/scripts/install-cordon.sh under ${rel(PATHS.install)}
                                         (config ${rel(PATHS.installedYaml)})
  internet  ${state.namespaces.internet}  DNS, ${Object.values(HOSTS)
    .filter((h) => h.addr.startsWith('198.'))
    .map((h) => h.name)
    .join(', ')}

Open a shell inside the notebook (a login shell, set up by the lifecycle script):

  sudo ${nb}

and try:

${tries()}

Without the lifecycle script (nothing works but the metadata service):

  sudo LAB_ROOT=${PATHS.bareRoot} ${nb}

As a Jupyter kernel would run (kernel.json's env only, no login shell):

  sudo ${nb} kernel lab/py/kernel_checks.py

Cordon's records:  ${rel(PATHS.accessLog)}  and  ${rel(PATHS.decisions)}
Allowlists (reloaded live):  ${rel(PATHS.gateway)}/allowhttp.txt, allowhttps.txt
Tear it all down:  npm run lab:down
`;
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === 'up') {
    const state = await labUp({ log: (line) => console.error(`lab: ${line}`) });
    console.log(instructions(state));
    return 0;
  }
  if (command === 'deps') {
    assertRoot();
    await ensurePackages((line) => console.error(`lab: ${line}`));
    return 0;
  }
  if (command === 'down') {
    const removed = await labDown();
    console.log(removed.length === 0 ? 'lab: nothing to remove' : `lab: removed ${removed.join(', ')}`);
    return 0;
  }
  console.error('usage: node --import tsx lab/cli.ts up | down | deps');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`lab: ${errorMessage(e)}`);
    process.exitCode = 1;
  },
);
