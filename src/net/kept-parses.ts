/**
 * @module net/kept-parses
 * A parser's successful answers kept by their input text, for inputs a proxy sees over and over
 * (the same few destinations in every request target or CONNECT line). Answers are frozen and
 * shared, so callers must treat them as read-only; failures are never kept (each bad input throws
 * again); the map is emptied when it reaches its bound, so distinct inputs cost memory only up to it.
 */

/** `parse`, with its answers kept for the next call with the same text. */
export function keptParses<T extends object>(parse: (text: string) => T, max = 1024): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    const known = kept.get(text);
    if (known !== undefined) return known;
    const parsed = Object.freeze(parse(text));
    if (kept.size >= max) kept.clear();
    kept.set(text, parsed);
    return parsed;
  };
}
