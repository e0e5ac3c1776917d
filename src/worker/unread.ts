/**
 * The files of a dropped trace root that the walk found but did not read,
 * and the folders it did not enter (src/trace/bundle/walk-policy.ts). The
 * walk reads the manifests and lists each bundle's top; a bundle's event log
 * and payloads are read when it is summarised or opened: the worker asks for
 * them (`needFiles`; the page, or the handles here, answer with the Files,
 * the folders' last message naming them `done`). Files, not bytes, cross
 * over: whoever asked reads them (a group at a time, or as the reducer asks
 * for a bundle too large to hold), and nothing is kept here.
 */
import { pathsOwnedBy, ScanError } from '../trace/bundle/scan';
import { foldersAbove } from '../trace/bundle/paths';
import type { UnreadEntry } from './protocol';

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
  got: Map<string, Blob>;
}

function unreadable(path: string, reason: string): ScanError {
  return new ScanError({
    file: path,
    line: null,
    seq: null,
    message: `${path} could not be read from the dropped folder; it may have been moved or deleted since the drop. Drop the folder again.`,
    causes: [reason],
  });
}

export class UnreadFiles {
  /** Unread files by path, and folders not entered, for finding and describing the bundles. */
  readonly files: ReadonlySet<string>;
  readonly folders: ReadonlySet<string>;
  private ownFiles: Map<string, string[]> | null = null;
  private ownFolders: Map<string, string[]> | null = null;
  /** Who waits for each file or folder (a folder's files come one by one, then its `done`). */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    files: Iterable<string>,
    folders: Iterable<string>,
    /** Asks for these files, and every file under these folders. */
    private readonly ask: (files: string[], folders: string[]) => void,
  ) {
    this.files = new Set(files);
    this.folders = new Set(folders);
  }

  /**
   * Sorts the unread paths into the scan's bundles (once its bundles are known). A bundle is read
   * without the bundles inside it (a resumed session's): its reduction needs only its own files.
   */
  setBundles(dirs: readonly string[]): void {
    this.ownFiles = pathsOwnedBy(this.files, dirs);
    this.ownFolders = pathsOwnedBy(this.folders, dirs);
  }

  /**
   * The unread files of bundle `dir`, its own (full paths → Files, not yet read). Rejects
   * with the file and the reason when one could not be read, or when
   * `signal` aborts.
   */
  async read(dir: string, signal: AbortSignal): Promise<Map<string, Blob>> {
    const files = this.ownFiles?.get(dir) ?? [];
    const folders = this.ownFolders?.get(dir) ?? [];
    if (files.length === 0 && folders.length === 0) return new Map();
    signal.throwIfAborted();
    const got = new Map<string, Blob>();
    const mine: [string, Waiter][] = [];
    const each = [...files, ...folders].map(
      (p) =>
        new Promise<void>((resolve, reject) => {
          const w: Waiter = { resolve, reject, got };
          mine.push([p, w]);
          const list = this.waiting.get(p);
          if (list) list.push(w);
          else this.waiting.set(p, [w]);
        }),
    );
    const onAbort = () => {
      for (const [p, w] of mine) this.forget(p, w);
      for (const [, w] of mine) w.reject(signal.reason instanceof Error ? signal.reason : new DOMException('The read was cancelled.', 'AbortError'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.ask(files, folders);
    try {
      await Promise.all(each);
      return got;
    } finally {
      signal.removeEventListener('abort', onAbort);
      for (const [p, w] of mine) this.forget(p, w);
    }
  }

  /** Files got (or why one could not be), then the folders all of whose files have come; what nobody waits for any more is dropped. */
  arrive(entries: readonly UnreadEntry[], done: readonly string[] = []): void {
    for (const e of entries) {
      // Waited for by name, or as a file of a folder being read.
      const waiters = [...(this.waiting.get(e.path) ?? [])];
      for (const f of foldersAbove(e.path)) if (this.folders.has(f)) waiters.push(...(this.waiting.get(f) ?? []));
      for (const w of waiters) {
        if ('file' in e) w.got.set(e.path, e.file);
        else w.reject(unreadable(e.path, e.error));
      }
      if (this.files.has(e.path)) this.settle(e.path);
    }
    for (const f of done) this.settle(f);
  }

  private settle(path: string): void {
    const list = this.waiting.get(path);
    this.waiting.delete(path);
    for (const w of list ?? []) w.resolve();
  }

  private forget(path: string, w: Waiter): void {
    const list = this.waiting.get(path);
    if (!list) return;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.waiting.delete(path);
  }
}
