/**
 * @module test/support/log-lines
 * Reads a child process's pino log lines from a stream (its stderr, usually) and waits for them:
 * `wait(msg)` resolves with the first line with `msg` that an earlier wait has not taken, or
 * rejects after a deadline naming every message seen. Lines that are not JSON go to `text`.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export type LogLine = Record<string, unknown> & { msg?: string };

export interface LogLines {
  readonly lines: LogLine[];
  /** Everything on the stream that was not a log line (usage errors, the admin URL). */
  readonly text: string[];
  /** The first log line with `msg` (and matching `where`) after the ones already taken. */
  wait(this: void, msg: string, where?: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function readLogLines(stream: Readable, defaultTimeoutMs = 30_000): LogLines {
  const lines: LogLine[] = [];
  const text: string[] = [];
  const waiters = new Set<() => void>();
  let taken = 0;
  createInterface({ input: stream }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      text.push(line);
    }
    for (const w of waiters) w();
  });
  return {
    lines,
    text,
    wait(msg, where = () => true, timeoutMs = defaultTimeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const i = lines.findIndex((l, idx) => idx >= taken && l.msg === msg && where(l));
          if (i === -1) return;
          taken = i + 1;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(lines[i]!);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no "${msg}" log line in time; saw ${JSON.stringify(lines.map((l) => l.msg))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
