/**
 * @module cli/check
 * `cordon check <url | host:port>`: what the policy decides for a destination, with the matching
 * rule and the reason, without sending any traffic or resolving any name. Exit 0 allow, 1 deny.
 */
import { loadConfig } from '../config/load.js';
import { parseAuthority } from '../net/authority.js';
import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import type { DecisionInput } from '../policy/types.js';
import { parseAbsoluteTarget } from '../proxy/request-target.js';
import { CLI_ERRORS, fail, parse } from './args.js';
import { CordonError } from '../errors.js';

/** Turn what the user typed into a decision input: URLs by scheme, bare host:port as CONNECT. */
export function checkInput(target: string, client: string): DecisionInput & { method: string } {
  if (target.includes('://')) {
    const lower = target.toLowerCase();
    if (lower.startsWith('https://')) {
      const t = parseAbsoluteTarget(`http${target.slice(5)}`);
      if (t === null) throw new CordonError(CLI_ERRORS.usage, 'give a URL or host:port');
      const port = /^https:\/\/[^/]*:\d+/i.test(target) ? t.port : 443;
      return { client, scheme: 'https', host: t.host, port, isIp: t.isIp, method: 'CONNECT' };
    }
    const t = parseAbsoluteTarget(target);
    if (t === null || t.scheme !== 'http')
      throw new CordonError(CLI_ERRORS.usage, 'only http:// and https:// URLs');
    return { client, scheme: 'http', host: t.host, port: t.port, isIp: t.isIp, method: 'GET' };
  }
  const a = parseAuthority(target);
  return { client, scheme: 'https', host: a.host, port: a.port, isIp: a.isIp, method: 'CONNECT' };
}

export async function runCheck(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(
      args,
      {
        config: { type: 'string', short: 'c' },
        client: { type: 'string', default: '127.0.0.1' },
        json: { type: 'boolean' },
      },
      'check',
    );
    const target = positionals[0];
    if (target === undefined || positionals.length > 1) {
      throw new CordonError(
        CLI_ERRORS.usage,
        'usage: cordon check <url | host:port> [--client IP] [--config FILE]',
      );
    }
    const loaded = loadConfig(values.config);
    const input = checkInput(target, values.client ?? '127.0.0.1');
    const d = decide(compilePolicy(loaded.policySpec, 1), input);
    if (values.json) {
      console.log(JSON.stringify({ input, ...d }));
    } else {
      const verb = d.allow ? (d.wouldDeny ? 'ALLOW (would deny in enforce mode)' : 'ALLOW') : 'DENY';
      console.log(
        `${verb}  ${input.method} ${input.scheme}://${input.host}:${input.port} from ${input.client}`,
      );
      console.log(`  reason: ${d.reason}: ${d.detail}`);
      console.log(`  group:  ${d.group} (mode ${d.mode})`);
      console.log(`  rule:   ${d.rule ?? '-'}`);
    }
    return Promise.resolve(d.allow ? 0 : 1);
  } catch (e: unknown) {
    return Promise.resolve(fail(e));
  }
}
