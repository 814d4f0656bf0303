/**
 * @module lifecycle/script-sections
 * The bash text of the on-start script, one section per concern. Sections only reference shell
 * variables set by the header that `script.ts` writes from validated options (ROOT, PROXY, NOPROXY,
 * ENV_LINES, U, CA, BUNDLE); no value from the caller is ever spliced in here. Must not do I/O.
 * Every path is written as "$ROOT/…" so the script can be pointed at a directory tree.
 */

/** Helpers: `put` replaces a whole file, `edit` keeps a file's other lines and rewrites our marked
 * block (dropping keys we own elsewhere in it, so YAML and INI parsers never see a duplicate). */
export const HELPERS = `log() { echo "cordon-lifecycle: $*"; }

# put FILE MODE < content: replace FILE as a whole (atomic rename).
put() {
  local f="$ROOT$1"
  mkdir -p "\${f%/*}"
  cat >"$f.cordon-tmp"
  chmod "$2" "$f.cordon-tmp"
  mv -f "$f.cordon-tmp" "$f"
}

# edit FILE [YAML_KEYS] [INI_SECTION INI_KEYS] < block: keep FILE's other lines, owner and mode;
# replace our marked block; drop the top-level YAML keys / INI keys of that section that we own.
edit() {
  local f="$ROOT$1"
  mkdir -p "\${f%/*}"
  if [ ! -e "$f" ]; then : >"$f"; fi
  BODY="$(cat)" awk -v y="\${2-}" -v h="\${3-}" -v x="\${4-}" "$AWK" "$f" >"$f.cordon-tmp"
  cat "$f.cordon-tmp" >"$f"
  rm -f "$f.cordon-tmp"
  chmod a+r "$f"
}
AWK='function blk(hd) { print "# >>> cordon >>>"; if (hd != "") print hd; print ENVIRON["BODY"]; print "# <<< cordon <<<"; done = 1 }
/^# >>> cordon >>>$/ { s = 1; next }
/^# <<< cordon <<<$/ { s = 0; next }
s { next }
k && /^([ \\t]|$)/ { next }
{ k = 0 }
y != "" && $0 ~ ("^(" y "):") { k = 1; next }
/^\\[/ { sec = $0 }
h != "" && sec == h && $0 ~ ("^[ \\t]*(" x ")[ \\t]*[=:]") { next }
{ print }
h != "" && $0 == h && !done { blk("") }
END { if (!done) blk(h) }'

# own PATH: hand a path under ec2-user's home back to that user (this script runs as root).
own() {
  if [ "$(id -u)" = 0 ] && [ -d "$ROOT$U" ] && [ -e "$ROOT$1" ]; then chown -R --reference="$ROOT$U" "$ROOT$1"; fi
}
`;

/** The CA: written verbatim, added to the system store, and a bundle of system roots + it. */
export function caSection(pem: string): string {
  return `log "installing the Cordon CA as $CA"
put "$CA" 644 <<'CORDON_CA'
${pem}CORDON_CA
for a in /etc/pki/ca-trust/source/anchors/cordon.pem /usr/local/share/ca-certificates/cordon.crt; do
  if [ -d "$ROOT\${a%/*}" ]; then cp -f "$ROOT$CA" "$ROOT$a"; chmod 644 "$ROOT$a"; fi
done
if [ -n "$ROOT" ]; then log "ROOT is set: not running the system CA store tool"
elif command -v update-ca-trust >/dev/null; then update-ca-trust extract
elif command -v update-ca-certificates >/dev/null; then update-ca-certificates >/dev/null
else log "no update-ca-trust or update-ca-certificates: only the bundle variables point at the CA"; fi
# Clients that take one file (requests, boto, pip, conda) get system roots + the Cordon CA, so
# direct connections (NO_PROXY endpoints) still verify.
sys=
for s in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt; do
  if [ -z "$sys" ] && [ -f "$ROOT$s" ]; then sys="$ROOT$s"; fi
done
cat $sys "$ROOT$CA" | put "$BUNDLE" 644
`;
}

/** Environment for login shells, non-login shells and PAM sessions. */
export const ENV_SECTION = `log "proxy $PROXY; no proxy for $NOPROXY"
{
  echo '# Cordon proxy settings (SageMaker lifecycle script). /etc/bashrc reads it for non-login shells.'
  sed 's/^/export /' <<<"$ENV_LINES"
} | put /etc/profile.d/cordon-proxy.sh 644
edit /etc/environment <<<"$ENV_LINES"
rc=/etc/bashrc
if [ ! -e "$ROOT$rc" ] && [ -e "$ROOT/etc/bash.bashrc" ]; then rc=/etc/bash.bashrc; fi
edit "$rc" <<<'if [ -r /etc/profile.d/cordon-proxy.sh ]; then . /etc/profile.d/cordon-proxy.sh; fi'
`;

/** pip, git, conda and npm configuration files. Blocks come from the header's *_CONF variables. */
export const TOOLS_SECTION = `edit /etc/pip.conf '' '[global]' "$PIP_KEYS" <<<"$PIP_CONF"
edit /etc/gitconfig <<<"$GIT_CONF"
edit /etc/npmrc <<<"$NPM_CONF"
for h in /root "$U"; do
  edit "$h/.condarc" "$CONDA_KEYS" <<<"$CONDA_CONF"
  edit "$h/.npmrc" <<<"$NPM_CONF"
done
own "$U/.condarc"
own "$U/.npmrc"
`;

const KERNEL_PY = `import json, os, sys
env = dict(l.split("=", 1) for l in os.environ["CORDON_ENV"].splitlines())
for p in sys.argv[1:]:
    try:
        with open(p) as f:
            k = json.load(f)
        k["env"] = dict(k.get("env") or {}, **env)
        with open(p, "w") as f:
            json.dump(k, f, indent=1)
            f.write("\\n")
        print("cordon-lifecycle: kernel " + p)
    except Exception as e:
        print("cordon-lifecycle: skipped %s: %s" % (p, e))`;

/** Jupyter kernels: each kernelspec's env, and an IPython startup file for Python kernels. */
export const KERNELS_SECTION = `set -- "$ROOT"{$U/anaconda3,$U/anaconda3/envs/*,$U/.local,/usr/local,/usr,/opt/conda,/opt/conda/envs/*}/share/jupyter/kernels/*/kernel.json
PY="$(command -v python3 || command -v "$U/anaconda3/bin/python3" || true)"
if [ $# -eq 0 ]; then log "no kernel.json found"
elif [ -z "$PY" ]; then log "no python3: kernel.json files left as they are (the server environment still applies)"
else CORDON_ENV="$ENV_LINES" "$PY" -c '${KERNEL_PY}' "$@"; fi
{
  echo '# Cordon proxy settings for IPython kernels (SageMaker lifecycle script).'
  echo 'import os'
  while IFS='=' read -r k v; do echo "os.environ['$k'] = '$v'"; done <<<"$ENV_LINES"
} | put "$U/.ipython/profile_default/startup/00-cordon-proxy.py" 644
own "$U/.ipython"
`;

/** The Jupyter server's own environment (kernels inherit it), and a restart when it already runs. */
export const SERVER_SECTION = `{
  echo '[Service]'
  while IFS= read -r l; do echo "Environment=\\"$l\\""; done <<<"$ENV_LINES"
} | put /etc/systemd/system/jupyter-server.service.d/cordon-proxy.conf 644
if [ -n "$ROOT" ]; then log "ROOT is set: not touching systemd"
elif command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload || log "systemctl daemon-reload failed"
  if systemctl is-active --quiet jupyter-server; then
    log "restarting jupyter-server so it and its kernels get the settings"
    systemctl restart --no-block jupyter-server || log "restart of jupyter-server failed"
  else log "jupyter-server is not running yet; it will start with these settings"; fi
fi
log "done"
`;
