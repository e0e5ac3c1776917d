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

async function walk(entry: FileSystemEntry, out: InputFile[]): Promise<void> {
  if (entry.isFile) {
    const path = normalizePath(entry.fullPath || entry.name);
    if (path) out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call; call until it returns none.
  for (;;) {
    const batch = await readBatch(reader);
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, out);
  }
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
  return (async () => {
    const out: InputFile[] = loose.map((f) => ({ path: f.name, file: f }));
    for (const e of entries) await walk(e, out);
    return out;
  })();
}

/** Whether a drag carries files (and not, say, selected text). */
export function dragHasFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types ?? []).includes('Files');
}
