import { readFileText, type BundleSource, type FileText } from './source';
import { normalizePath } from './paths';

/**
 * Wraps a source whose reads are slow one at a time (a request per payload
 * over HTTP, an IPC round trip per dropped File) so that the reducer rarely
 * waits: once trace.jsonl has been read, the payloads it mentions are read
 * `window` ahead of the reader, in the order of their first mention, which is
 * the order the reducer asks for them. A read-ahead body is handed out once and
 * then forgotten, so memory stays bounded by the window.
 */
export function withReadAhead(source: BundleSource, window = 32): BundleSource {
  const order: string[] = [];
  const position = new Map<string, number>();
  const ahead = new Map<string, Promise<FileText | null>>();
  let issued = 0;

  const issueThrough = (end: number) => {
    for (; issued < Math.min(end, order.length); issued++) {
      const p = order[issued];
      const pending = readFileText(source, p);
      pending.catch(() => {}); // surfaces when (if) the reader asks for it
      ahead.set(p, pending);
    }
  };

  /** A read-ahead body, handed out once, or null when `path` was not read ahead. */
  const takeAhead = (p: string): Promise<FileText | null> | null => {
    const at = position.get(p);
    if (at !== undefined) issueThrough(at + 1 + window);
    const early = ahead.get(p);
    if (early) ahead.delete(p);
    return early ?? null;
  };

  return {
    name: source.name,
    size: source.size?.bind(source),
    async readText(path: string): Promise<string | null> {
      const p = normalizePath(path) ?? path;
      const early = takeAhead(p);
      if (early) return (await early)?.text() ?? null;
      const text = await source.readText(p);
      if (p === 'trace.jsonl' && text !== null && order.length === 0) {
        for (const ref of payloadsInMentionOrder(text)) {
          position.set(ref, order.length);
          order.push(ref);
        }
        issueThrough(window);
      }
      return text;
    },
    async readFileText(path: string): Promise<FileText | null> {
      const p = normalizePath(path) ?? path;
      return takeAhead(p) ?? readFileText(source, p);
    },
    readBytes: (path) => source.readBytes(path),
  };
}

/**
 * The payload files an event log names (`"path":"payloads/…"`), each once, in
 * the order of their first mention: the order the reducer reads them in.
 */
export function payloadsInMentionOrder(log: string): string[] {
  const seen = new Set<string>();
  for (const m of log.matchAll(/"path":"([^"\\]+)"/g)) {
    const ref = normalizePath(m[1]);
    if (ref) seen.add(ref);
  }
  return [...seen];
}
