/**
 * Gets the files out of a drop. Folders are walked with the File and
 * Directory Entries API (`webkitGetAsEntry`), which every current browser has
 * for drops; without it, the flat `files` list is used.
 */
import type { InputFile } from '../trace/bundle/scan';
import { normalizePath } from '../trace/bundle/paths';

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

/**
 * The files under `entry`, in directory order. Siblings are fetched
 * concurrently: one `file()` round trip after another took longer for a
 * bundle of hundreds of payloads than reading them all.
 */
async function walk(entry: FileSystemEntry): Promise<InputFile[]> {
  if (entry.isFile) {
    const path = normalizePath(entry.fullPath || entry.name);
    return path ? [{ path, file: await fileOf(entry as FileSystemFileEntry) }] : [];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: Promise<InputFile[]>[] = [];
  // readEntries returns at most ~100 entries per call; call until it returns none.
  for (;;) {
    const batch = await readBatch(reader);
    if (batch.length === 0) break;
    for (const child of batch) children.push(walk(child));
  }
  return (await Promise.all(children)).flat();
}

/**
 * Must be called synchronously inside the `drop` handler (the items are
 * only readable during the event); the returned promise resolves later.
 */
export function filesFromDataTransfer(dt: DataTransfer): Promise<InputFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) {
    return Promise.resolve(Array.from(dt.files ?? []).map((f) => ({ path: f.name, file: f })));
  }
  return (async () => [...loose.map((f) => ({ path: f.name, file: f })), ...(await Promise.all(entries.map(walk))).flat()])();
}

/** Whether a drag carries files (and not, say, selected text). */
export function dragHasFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types ?? []).includes('Files');
}
