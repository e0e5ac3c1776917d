/**
 * Gets the files out of a drop: as file-system handles for the worker where
 * the browser gives them, else by walking folders here with the File and
 * Directory Entries API (`webkitGetAsEntry`); without either, the flat
 * `files` list.
 */
import type { InputFile } from '../trace/bundle/scan';
import { normalizePath } from '../trace/bundle/paths';
import { WalkPolicy } from '../trace/bundle/walk-policy';
import type { UnreadFile, UnreadFolder } from '../worker/client';
import { isDroppedHandle, type DroppedHandle } from '../worker/handles';
import { gate, timeSlicer } from '../worker/slicing';

/** Most `file()` calls in flight: all at once, a folder of thousands came back as one native task of seconds. */
const MAX_FILE_CALLS = 32;
const fileCalls = gate(MAX_FILE_CALLS);
const slicer = timeSlicer();

/** Told of each file as the walk finds it: its File when read now, null when left unread. */
export type OnFile = (file: File | null) => void;

/** What a walk found: the files it read, and the files and folders it left unread (a trace root's, read when their bundle is wanted: ../trace/bundle/walk-policy.ts). */
export interface Walked {
  files: InputFile[];
  unread: { files: UnreadFile[]; folders: UnreadFolder[] };
}

type Found = InputFile | UnreadFile | UnreadFolder;

/** The entry's File: a round trip to the browser's process. */
function fileFrom(entry: FileSystemFileEntry): Promise<File> {
  return new Promise<File>((resolve, reject) => entry.file(resolve, reject));
}

async function fileOf(entry: FileSystemFileEntry, path: string, walk: WalkContext): Promise<InputFile | UnreadFile> {
  const get = () => fileFrom(entry);
  await fileCalls.enter();
  try {
    // Each call is a little work for this thread; without a pause now and then, thousands chain into one long task.
    await slicer.maybeYield();
    walk.signal?.throwIfAborted();
    // Asked at its turn, not when found: the second bundle may have been met meanwhile.
    if (!walk.policy.readNow(path)) {
      walk.onFile?.(null);
      return { path, file: get };
    }
    const file = await get();
    walk.onFile?.(file);
    return { path, file };
  } finally {
    fileCalls.leave();
  }
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

/** Every entry of a folder: readEntries returns at most ~100 per call; call until it returns none. */
async function* entriesOf(dir: FileSystemDirectoryEntry, signal?: AbortSignal): AsyncGenerator<FileSystemEntry[]> {
  const reader = dir.createReader();
  for (;;) {
    signal?.throwIfAborted();
    const batch = await readBatch(reader);
    if (batch.length === 0) return;
    yield batch;
  }
}

/** The files under a folder left unread, each to be got when wanted. */
async function listFolder(dir: FileSystemDirectoryEntry): Promise<UnreadFile[]> {
  const out: UnreadFile[] = [];
  for await (const batch of entriesOf(dir))
    for (const e of batch) {
      const path = normalizePath(e.fullPath || e.name);
      if (!path) continue;
      if (e.isDirectory) out.push(...(await listFolder(e as FileSystemDirectoryEntry)));
      else if (e.isFile) out.push({ path, file: () => fileFrom(e as FileSystemFileEntry) });
    }
  return out;
}

interface WalkContext {
  policy: WalkPolicy;
  signal?: AbortSignal;
  onFile?: OnFile;
}

/**
 * The files under `entry`, in directory order. Siblings are fetched
 * several at a time: one `file()` round trip after another took longer for a
 * bundle of hundreds of payloads than reading them all.
 */
async function walk(entry: FileSystemEntry, ctx: WalkContext): Promise<Found[]> {
  const path = normalizePath(entry.fullPath || entry.name);
  if (entry.isFile) {
    if (!path) return [];
    ctx.policy.found(path);
    return [await fileOf(entry as FileSystemFileEntry, path, ctx)];
  }
  if (!entry.isDirectory) return [];
  const children: Promise<Found[]>[] = [];
  const names: string[] = [];
  // A payloads/ folder waits for the whole listing: whether it is a bundle's depends on what lies beside it.
  const payloads: FileSystemDirectoryEntry[] = [];
  const follow = (child: FileSystemEntry) => {
    const found = walk(child, ctx);
    // A walk stopped part way leaves these unawaited: their abort is not an error to report.
    found.catch(() => {});
    children.push(found);
  };
  for await (const batch of entriesOf(entry as FileSystemDirectoryEntry, ctx.signal))
    for (const child of batch) {
      names.push(child.name);
      if (child.isDirectory && child.name === 'payloads') payloads.push(child as FileSystemDirectoryEntry);
      else follow(child);
    }
  for (const p of payloads) {
    const at = normalizePath(p.fullPath || `${path ?? ''}/${p.name}`) ?? p.name;
    if (ctx.policy.enterNow(at, names)) follow(p);
    else children.push(Promise.resolve([{ path: at, files: () => listFolder(p) }]));
  }
  return (await Promise.all(children)).flat();
}

/** How long a drop's file-system handles are waited for; past it, the walk on this thread (begun at the drop) opens the folder. */
const HANDLE_WAIT_MS = 300;

/** What a drop holds, taken from its DataTransfer while the event lasts. */
export interface Drop {
  /**
   * The dropped items as file-system handles, for the worker to walk and read
   * (Chromium); null where the browser has none, or does not produce them in
   * time (it has been seen to take indefinitely for very large folders, and
   * over 300 ms for a folder of three files).
   */
  handles: Promise<DroppedHandle[] | null>;
  /**
   * The dropped files, walking folders here (File and Directory Entries API), which every current browser has;
   * `signal` stops the walk, `onFile` hears of each file as it is got (a folder of thousands takes seconds).
   */
  files(signal?: AbortSignal, onFile?: OnFile): Promise<Walked>;
  /** What the drop is called while it is walked: its one folder or file, or how many items. */
  label: string;
}

/** Must be called synchronously inside the `drop` handler: the items are readable only during the event. */
export function readDrop(dt: DataTransfer): Drop {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  const handles: (Promise<FileSystemHandle | null> | null)[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const getHandle = (item as { getAsFileSystemHandle?: () => Promise<FileSystemHandle | null> }).getAsFileSystemHandle;
    handles.push(typeof getHandle === 'function' ? getHandle.call(item) : null);
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  const listed = Array.from(dt.files ?? []);
  const names = [...entries.map((e) => e.name), ...loose.map((f) => f.name)];
  const label = names.length === 1 ? names[0] : `${names.length || listed.length} items`;
  const all = handles.length > 0 && handles.every((h) => h !== null) ? Promise.all(handles) : null;
  return {
    label,
    handles: all
      ? Promise.race([
          all.then((hs) => (hs.every(isDroppedHandle) ? (hs as unknown as DroppedHandle[]) : null)).catch(() => null),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), HANDLE_WAIT_MS)),
        ])
      : Promise.resolve(null),
    async files(signal, onFile) {
      if (entries.length === 0 && loose.length === 0) return { files: listed.map((f) => ({ path: f.name, file: f })), unread: { files: [], folders: [] } };
      const ctx: WalkContext = { policy: new WalkPolicy(), signal, onFile };
      const found = (await Promise.all(entries.map((e) => walk(e, ctx)))).flat();
      const walked: Walked = { files: loose.map((f) => ({ path: f.name, file: f })), unread: { files: [], folders: [] } };
      for (const f of found) {
        if ('files' in f) walked.unread.folders.push(f);
        else if (typeof f.file === 'function') walked.unread.files.push(f as UnreadFile);
        else walked.files.push(f as InputFile);
      }
      return walked;
    },
  };
}

/** Whether a drag carries files (and not, say, selected text). */
export function dragHasFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types ?? []).includes('Files');
}
