/**
 * @module proxy/warnings
 * Warnings that can come in floods — running out of file descriptors above all — logged at most once
 * per window per message, with a count of the ones held back; and the listener's own errors after it
 * is up, which must never take the process down.
 */
import type { Server } from 'node:net';
import { errorCode } from '../errors.js';
import { NO_DESCRIPTOR_CODES } from './errors.js';
import type { ProxyLogger } from './server.js';

/** One line per message per window is enough to see a condition; the rest are only counted. */
export const WARNING_WINDOW_MS = 10_000;

/** The warning logged (rate-limited) whenever work is refused for want of a descriptor. */
export const OUT_OF_DESCRIPTORS = 'out of file descriptors: refusing new work until some close';

/**
 * `logger` with `warn` rate-limited per message: the first of a message in a window is logged (with
 * `suppressed`, how many were held back since the last one), the rest of that window only counted.
 * Distinct messages are fixed strings, so the bookkeeping stays small.
 */
export function rateLimitWarnings(logger: ProxyLogger, windowMs = WARNING_WINDOW_MS): ProxyLogger {
  const seen = new Map<string, { until: number; suppressed: number }>();
  return {
    warn(obj, msg) {
      const now = Date.now();
      const s = seen.get(msg);
      if (s !== undefined && now < s.until) {
        s.suppressed++;
        return;
      }
      logger.warn({ ...obj, suppressed: s?.suppressed ?? 0 }, msg);
      seen.set(msg, { until: now + windowMs, suppressed: 0 });
    },
    error: (obj, msg) => logger.error(obj, msg),
    debug: (obj, msg) => logger.debug(obj, msg),
  };
}

/**
 * Keep a listener's errors from being fatal. `net.Server` emits 'error' when accept(2) fails —
 * EMFILE/ENFILE once libuv's reserve descriptor is spent (libuv otherwise accepts and closes the
 * waiting connections itself, so clients see a clean close) — and an 'error' with no listener
 * throws. The listener keeps listening: accepting resumes as soon as descriptors free up.
 */
export function guardListener(server: Server, logger: ProxyLogger): void {
  server.on('error', (e: Error) => {
    const code = errorCode(e) ?? 'unknown';
    if (NO_DESCRIPTOR_CODES.has(code)) logger.warn({ code, syscall: 'accept' }, OUT_OF_DESCRIPTORS);
    else logger.warn({ code, err: e.message }, 'proxy listener error');
  });
}
