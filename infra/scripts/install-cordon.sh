#!/bin/bash
# install-cordon.sh — install Cordon from an `npm pack` tarball and run it as a service.
#
# Used by the CDK app's user data on each proxy instance, and by the lab (with --no-systemd and
# PREFIX). Idempotent: running it again upgrades the package and rewrites the config and unit.
#
#   install-cordon.sh --tarball cordon-0.1.0.tgz [--config cordon.yaml | --policy-source SRC]
#                     [--poll-seconds N] [--listen HOST:PORT] [--admin-listen HOST:PORT]
#                     [--cw-access-log-group G --cw-decision-log-group G --cw-service-log-group G]
#                     [--no-systemd] [--no-user]
#
# --config FILE        use FILE as /etc/cordon/cordon.yaml as it is
# --policy-source SRC  write a cordon.yaml whose policy comes from SRC (ssm:/name or s3://bucket/key)
# --cw-*-log-group     install the CloudWatch agent (dnf) and ship the three logs to these groups
# --no-systemd         do not write or start cordon.service; print how to start Cordon instead
# --no-user            run as the current user (no `cordon` system user)
# PREFIX=DIR           install under DIR (DIR/opt/cordon, DIR/etc/cordon, DIR/var/...) instead of /
# NPM_FLAGS="..."      extra flags for npm install (e.g. --offline --cache DIR in the lab)
# CORDON_ADMIN_TOKEN   if set, written to /etc/cordon/cordon.env (mode 600) for the service,
# AWS_REGION           and so is the region (the policy source's SDK calls need it)
set -euo pipefail

PREFIX="${PREFIX:-}"
TARBALL='' CONFIG='' SOURCE='' POLL=30 LISTEN='0.0.0.0:3128' ADMIN='127.0.0.1:9090'
CW_ACCESS='' CW_DECISIONS='' CW_SERVICE='' SYSTEMD=1 MAKE_USER=1
log() { echo "install-cordon: $*"; }
die() { echo "install-cordon: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --tarball) TARBALL="${2:?$1 needs a value}"; shift 2 ;;
    --config) CONFIG="${2:?$1 needs a value}"; shift 2 ;;
    --policy-source) SOURCE="${2:?$1 needs a value}"; shift 2 ;;
    --poll-seconds) POLL="${2:?$1 needs a value}"; shift 2 ;;
    --listen) LISTEN="${2:?$1 needs a value}"; shift 2 ;;
    --admin-listen) ADMIN="${2:?$1 needs a value}"; shift 2 ;;
    --cw-access-log-group) CW_ACCESS="${2:?$1 needs a value}"; shift 2 ;;
    --cw-decision-log-group) CW_DECISIONS="${2:?$1 needs a value}"; shift 2 ;;
    --cw-service-log-group) CW_SERVICE="${2:?$1 needs a value}"; shift 2 ;;
    --no-systemd) SYSTEMD=0; shift ;;
    --no-user) MAKE_USER=0; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ -n "$TARBALL" ] || die "--tarball is required (a .tgz made by npm pack)"
[ -f "$TARBALL" ] || die "tarball $TARBALL not found"
[ -n "$CONFIG" ] || [ -n "$SOURCE" ] || die "give --config FILE or --policy-source ssm:/NAME|s3://BUCKET/KEY"
case "$SOURCE" in '' | ssm:/* | s3://*) ;; *) die "--policy-source $SOURCE: use ssm:/NAME or s3://BUCKET/KEY" ;; esac
case "$POLL" in *[!0-9]* | '') die "--poll-seconds $POLL: use a whole number of seconds" ;; esac

OPT="$PREFIX/opt/cordon" ETC="$PREFIX/etc/cordon" LOGS="$PREFIX/var/log/cordon" DATA="$PREFIX/var/lib/cordon"
RUN_AS="$(id -un)"
mkdir -p "$OPT"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Node 20+: use what is there, else the distribution's package.
find_node() {
  local n
  for n in node node-20 node-22; do
    if command -v "$n" >/dev/null && [ "$(node_major "$n")" -ge 20 ]; then command -v "$n"; return; fi
  done
}
NODE="$(find_node || true)"
if [ -z "$NODE" ]; then
  if command -v dnf >/dev/null; then dnf install -y -q nodejs20 nodejs20-npm
  elif command -v apt-get >/dev/null; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
  else die "no Node 20+ and no dnf or apt-get to install it"; fi
  NODE="$(find_node || true)"
  [ -n "$NODE" ] || die "the distribution's Node is older than 20; install Node 20+ first"
fi
# npm runs `node` from PATH: make sure that is the Node found above (AL2023 names it node-20).
mkdir -p "$OPT/.node-bin"
ln -sf "$NODE" "$OPT/.node-bin/node"
export PATH="$OPT/.node-bin:$PATH"
NPM="$(command -v "npm-$(node_major "$NODE")" || command -v npm || true)"
[ -n "$NPM" ] || die "npm not found next to $NODE"
log "node $("$NODE" --version) at $NODE"

if [ "$MAKE_USER" = 1 ]; then
  if ! id cordon >/dev/null 2>&1; then useradd --system --no-create-home --home-dir /var/lib/cordon --shell /sbin/nologin cordon; fi
  RUN_AS=cordon
fi

mkdir -p "$ETC" "$LOGS" "$DATA"
log "installing $TARBALL into $OPT"
cp -f "$TARBALL" "$OPT/cordon.tgz"
rm -rf "$OPT/node_modules/cordon"
# shellcheck disable=SC2086 # NPM_FLAGS is a list of flags
(cd "$OPT" && "$NPM" install --omit=dev --no-audit --no-fund ${NPM_FLAGS:-} ./cordon.tgz)
ENTRY="$OPT/node_modules/cordon/bin/cordon.js"
[ -f "$ENTRY" ] || die "the tarball did not install a cordon package ($ENTRY missing)"

if [ -n "$CONFIG" ]; then
  install -m 644 "$CONFIG" "$ETC/cordon.yaml.new"
else
  cat >"$ETC/cordon.yaml.new" <<YAML
# Written by install-cordon.sh. The policy (allowlists, clients, modes) comes from policy.source.
listen: $LISTEN
admin:
  listen: $ADMIN
log:
  access: $LOGS/access.log
  json: $LOGS/decisions.jsonl
storage:
  dir: $DATA
policy:
  source: $SOURCE
  pollSeconds: $POLL
YAML
fi
mv -f "$ETC/cordon.yaml.new" "$ETC/cordon.yaml"
# Secrets and region for the service, never on a command line.
if [ -n "${CORDON_ADMIN_TOKEN:-}${AWS_REGION:-}" ]; then
  (
    umask 077
    {
      if [ -n "${CORDON_ADMIN_TOKEN:-}" ]; then printf 'CORDON_ADMIN_TOKEN=%s\n' "$CORDON_ADMIN_TOKEN"; fi
      if [ -n "${AWS_REGION:-}" ]; then printf 'AWS_REGION=%s\nAWS_DEFAULT_REGION=%s\n' "$AWS_REGION" "$AWS_REGION"; fi
    } >"$ETC/cordon.env.new"
  )
  mv -f "$ETC/cordon.env.new" "$ETC/cordon.env"
fi
chown -R "$RUN_AS" "$LOGS" "$DATA"

# The one command that runs Cordon, for systemd and for people.
mkdir -p "$OPT/bin"
cat >"$OPT/bin/cordon-start" <<SH
#!/bin/sh
exec "$NODE" --max-semi-space-size=4 --v8-pool-size=1 "$ENTRY" start --config "$ETC/cordon.yaml" "\$@"
SH
chmod 755 "$OPT/bin/cordon-start"

if [ -d "$PREFIX/etc/logrotate.d" ]; then
  cat >"$PREFIX/etc/logrotate.d/cordon" <<ROT
$LOGS/access.log $LOGS/decisions.jsonl {
  daily
  rotate 7
  compress
  delaycompress
  missingok
  notifempty
  sharedscripts
  postrotate
    systemctl kill -s HUP cordon.service >/dev/null 2>&1 || true
  endscript
}
$LOGS/cordon.log {
  daily
  rotate 7
  compress
  missingok
  notifempty
  copytruncate
}
ROT
fi

if [ -n "$CW_ACCESS$CW_DECISIONS$CW_SERVICE" ]; then
  if ! [ -x /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl ]; then
    if command -v dnf >/dev/null; then dnf install -y -q amazon-cloudwatch-agent; else die "the CloudWatch agent needs dnf (Amazon Linux)"; fi
  fi
  CW_CONFIG=/opt/aws/amazon-cloudwatch-agent/etc/cordon.json
  cat >"$CW_CONFIG" <<JSON
{
  "agent": { "run_as_user": "root" },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          { "file_path": "$LOGS/access.log", "log_group_name": "$CW_ACCESS", "log_stream_name": "{instance_id}" },
          { "file_path": "$LOGS/decisions.jsonl", "log_group_name": "$CW_DECISIONS", "log_stream_name": "{instance_id}" },
          { "file_path": "$LOGS/cordon.log", "log_group_name": "$CW_SERVICE", "log_stream_name": "{instance_id}" }
        ]
      }
    }
  }
}
JSON
  /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c "file:$CW_CONFIG"
  log "CloudWatch agent ships $LOGS to $CW_ACCESS, $CW_DECISIONS, $CW_SERVICE"
fi

if [ "$SYSTEMD" = 0 ]; then
  log "installed; start it with: $OPT/bin/cordon-start"
  exit 0
fi
mkdir -p "$PREFIX/etc/systemd/system"
cat >"$PREFIX/etc/systemd/system/cordon.service" <<UNIT
[Unit]
Description=Cordon egress gateway
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=$RUN_AS
EnvironmentFile=-$ETC/cordon.env
ExecStart=$OPT/bin/cordon-start
ExecReload=/bin/kill -HUP \$MAINPID
Restart=on-failure
RestartSec=2
StandardOutput=append:$LOGS/cordon.log
StandardError=append:$LOGS/cordon.log
LimitNOFILE=65536
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=$LOGS $DATA

[Install]
WantedBy=multi-user.target
UNIT
if [ -n "$PREFIX" ]; then
  log "PREFIX is set: wrote $PREFIX/etc/systemd/system/cordon.service but did not start it"
  exit 0
fi
systemctl daemon-reload
systemctl enable cordon.service
systemctl restart cordon.service
log "cordon.service enabled and started"
