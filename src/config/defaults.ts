/**
 * @module config/defaults
 * The conservative built-in configuration that `cordon start` runs with no config file: listen on
 * :3128 for private-range clients, allow nothing (every request is denied and logged), decisions to
 * stdout, squid-format access log under ./logs, data under ./data. Text only; key defaults live in
 * schema.ts and this file only states the ones that matter for a first run.
 */

/** The `file` name issues and entry sources show for the built-in config. */
export const BUILTIN_CONFIG_FILE = '<built-in>';

/**
 * The built-in config as a commented cordon.yaml. `loadConfig()` with no path loads it against the
 * current directory, so its relative paths land under the folder `npm start` was run from.
 */
export const BUILTIN_CONFIG_YAML = `# cordon.yaml: the built-in default.
# Denies everything until you allow it: copy this file, add destinations, run \`cordon start -c cordon.yaml\`.

# Where notebooks send HTTP_PROXY / HTTPS_PROXY traffic.
listen: 0.0.0.0:3128

# Who may use the proxy at all (squid's "localnet"): private and loopback ranges.
clients:
  - 10.0.0.0/8
  - 172.16.0.0/12
  - 192.168.0.0/16
  - 127.0.0.0/8
  - ::1/128
  - fc00::/7

mode: enforce

# Plain HTTP (squid's allowhttp.txt + Safe_ports). Entries use squid dstdomain syntax:
#   example.org     that host only
#   .example.org    the domain and every subdomain
#   *.example.org   subdomains only
http:
  ports: [80]
  allow: []
  allowFiles: []

# HTTPS through CONNECT tunnels (squid's allowhttps.txt + SSL_ports).
https:
  ports: [443]
  allow: []
  allowFiles: []

log:
  # squid-native access log, for existing tools and habits.
  access: ./logs/access.log
  # One JSON line per decision; "-" is stdout.
  json: '-'

admin:
  listen: 127.0.0.1:9090

storage:
  dir: ./data
`;
