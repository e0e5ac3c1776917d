/**
 * Answering a scan's `needFiles` (./unread.ts): the page does it for a root
 * it walked itself, the worker for one it walked through file-system
 * handles. Either way each file asked for, and every file under each folder
 * asked for, is got as a File (not read: whoever asked reads it),
 * a batch at a time, then the folders are named done.
 */

/** What is told of each file: the File, or why it could not be got (an `unreadFiles` request's entries; not imported from ./protocol.ts, which imports ./handles.ts, which imports this). */
type UnreadEntry = { path: string; file: Blob } | { path: string; error: string };

/** A dropped file found but not read: `file` gets it from the browser. */
export interface UnreadFile {
  path: string;
  file: () => Promise<Blob>;
}

/** A dropped folder not entered (a bundle's payloads/ in a trace root): `files` lists it. */
export interface UnreadFolder {
  path: string;
  files: () => Promise<UnreadFile[]>;
}

/** Where the unread files and folders of one drop are, by path. */
export interface UnreadLookup {
  file(path: string): UnreadFile['file'] | undefined;
  folder(path: string): UnreadFolder['files'] | undefined;
}

/** Files per batch: the page sends each batch as a message, and cloning a File costs it about half a millisecond. */
const BATCH = 64;

export async function answerNeedFiles(
  paths: readonly string[],
  folders: readonly string[],
  lookup: UnreadLookup,
  send: (entries: UnreadEntry[], done?: string[]) => void,
  live: () => boolean = () => true,
): Promise<void> {
  const failed = (path: string, e: unknown): UnreadEntry => ({ path, error: e instanceof Error ? e.message : String(e) });
  const missing = () => Promise.reject(new Error('it is not among the dropped files'));
  const wanted: UnreadFile[] = paths.map((path) => ({ path, file: lookup.file(path) ?? missing }));
  const unlisted: UnreadEntry[] = [];
  for (const folder of folders) {
    const list = lookup.folder(folder);
    try {
      if (!list) throw new Error('it is not among the dropped folders');
      wanted.push(...(await list()));
    } catch (e) {
      unlisted.push(failed(folder, e));
    }
  }
  for (let i = 0; i < wanted.length && live(); i += BATCH) {
    const batch = wanted.slice(i, i + BATCH);
    const got = await Promise.all(
      batch.map((f) =>
        f.file().then(
          (file): UnreadEntry => ({ path: f.path, file }),
          (e: unknown) => failed(f.path, e),
        ),
      ),
    );
    if (live()) send(got);
  }
  if (live()) send(unlisted, [...folders]);
}
