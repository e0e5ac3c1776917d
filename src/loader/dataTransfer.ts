/**
 * Gets the files out of a drop: as file-system handles for the worker where
 * the browser gives them, else by walking folders here with the File and
 * Directory Entries API (`webkitGetAsEntry`); without either, the flat
 * `files` list.
 */
import type { InputFile } from '../trace/bundle/scan';
import { normalizePath } from '../trace/bundle/paths';
import { isDroppedHandle, type DroppedHandle } from '../worker/handles';
import { gate, timeSlicer } from '../worker/slicing';

/** Most `file()` calls in flight: all at once, a folder of thousands came back as one native task of seconds. */
const MAX_FILE_CALLS = 32;
const fileCalls = gate(MAX_FILE_CALLS);
const slicer = timeSlicer();

/** Told of each file as the walk gets it. */
export type OnFile = (file: File) => void;

async function fileOf(entry: FileSystemFileEntry, signal?: AbortSignal, onFile?: OnFile): Promise<File> {
  await fileCalls.enter();
  try {
    // Each call is a little work for this thread; without a pause now and then, thousands chain into one long task.
    await slicer.maybeYield();
    signal?.throwIfAborted();
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
    onFile?.(file);
    return file;
  } finally {
    fileCalls.leave();
  }
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

/**
 * The files under `entry`, in directory order. Siblings are fetched
 * several at a time: one `file()` round trip after another took longer for a
 * bundle of hundreds of payloads than reading them all.
 */
async function walk(entry: FileSystemEntry, signal?: AbortSignal, onFile?: OnFile): Promise<InputFile[]> {
  if (entry.isFile) {
    const path = normalizePath(entry.fullPath || entry.name);
    return path ? [{ path, file: await fileOf(entry as FileSystemFileEntry, signal, onFile) }] : [];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: Promise<InputFile[]>[] = [];
  // readEntries returns at most ~100 entries per call; call until it returns none.
  for (;;) {
    signal?.throwIfAborted();
    const batch = await readBatch(reader);
    if (batch.length === 0) break;
    for (const child of batch) {
      const found = walk(child, signal, onFile);
      // A walk stopped part way leaves these unawaited: their abort is not an error to report.
      found.catch(() => {});
      children.push(found);
    }
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
  files(signal?: AbortSignal, onFile?: OnFile): Promise<InputFile[]>;
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
      if (entries.length === 0 && loose.length === 0) return listed.map((f) => ({ path: f.name, file: f }));
      return [...loose.map((f) => ({ path: f.name, file: f })), ...(await Promise.all(entries.map((e) => walk(e, signal, onFile)))).flat()];
    },
  };
}

/** Whether a drag carries files (and not, say, selected text). */
export function dragHasFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types ?? []).includes('Files');
}
