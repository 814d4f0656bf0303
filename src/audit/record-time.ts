/**
 * @module audit/record-time
 * A record's time (ISO-8601 text) as epoch milliseconds, for the writers that need a number (the
 * squid-format log, the audit store). Records that end in the same millisecond share one time
 * string (proxy/recorder), so the last one parsed is kept: a batch parses each distinct time once.
 */
let lastText = '';
let lastMs = NaN;

/** Epoch ms of an ISO-8601 time; NaN when it is not one. */
export function timeMs(text: string): number {
  if (text !== lastText) {
    lastText = text;
    lastMs = Date.parse(text);
  }
  return lastMs;
}
