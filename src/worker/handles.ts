/**
 * Files of a drop handed to the worker as file-system handles (Chromium's
 * `DataTransferItem.getAsFileSystemHandle`). The worker walks the folders and
 * fetches the files itself: the page's own walk creates every File on its
 * main thread, which for hundreds of payloads is one long native task.
 * Structural types, so that tests can pass stand-ins.
 */
import type { InputFile } from '../trace/bundle/scan';
import { WalkPolicy } from '../trace/bundle/walk-policy';
import type { UnreadFile, UnreadLookup } from './answer-unread';

export interface FileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
}
export interface DirectoryHandleLike {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<FileHandleLike | DirectoryHandleLike>;
}
export type DroppedHandle = FileHandleLike | DirectoryHandleLike;

export function isDroppedHandle(v: unknown): v is DroppedHandle {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as { kind?: unknown; name?: unknown };
  return (h.kind === 'file' || h.kind === 'directory') && typeof h.name === 'string';
}

/** What a walk of the handles found: the files it read, and the handles of the files and folders it left unread (a trace root's: ../trace/bundle/walk-policy.ts). */
export interface HandleWalk {
  files: InputFile[];
  unread: Map<string, FileHandleLike>;
  unreadFolders: Map<string, DirectoryHandleLike>;
}

/** Every file under the handles, with paths from the dropped items down (`<folder>/payloads/3.json`), in directory order. */
export async function filesFromHandles(handles: readonly DroppedHandle[], signal?: AbortSignal): Promise<HandleWalk> {
  const policy = new WalkPolicy();
  const out: HandleWalk = { files: [], unread: new Map(), unreadFolders: new Map() };
  const walk = async (h: DroppedHandle, path: string): Promise<InputFile[]> => {
    signal?.throwIfAborted();
    if (h.kind === 'file') {
      policy.found(path);
      if (policy.readNow(path)) return [{ path, file: await h.getFile() }];
      out.unread.set(path, h);
      return [];
    }
    const children: Promise<InputFile[]>[] = [];
    const names: string[] = [];
    // A payloads/ folder waits for the whole listing: whether it is a bundle's depends on what lies beside it.
    const payloads: DirectoryHandleLike[] = [];
    for await (const child of h.values()) {
      names.push(child.name);
      if (child.kind === 'directory' && child.name === 'payloads') payloads.push(child);
      else children.push(walk(child, `${path}/${child.name}`));
    }
    for (const p of payloads) {
      if (policy.enterNow(`${path}/${p.name}`, names)) children.push(walk(p, `${path}/${p.name}`));
      else out.unreadFolders.set(`${path}/${p.name}`, p);
    }
    return (await Promise.all(children)).flat();
  };
  out.files = (await Promise.all(handles.map((h) => walk(h, h.name)))).flat();
  return out;
}

/** Every file under a folder's handle, with its path. */
async function filesUnder(dir: DirectoryHandleLike, path: string): Promise<UnreadFile[]> {
  const out: UnreadFile[] = [];
  for await (const child of dir.values()) {
    if (child.kind === 'file') out.push({ path: `${path}/${child.name}`, file: () => child.getFile() });
    else out.push(...(await filesUnder(child, `${path}/${child.name}`)));
  }
  return out;
}

/** Where a handle walk's unread files and folders are, for answering `needFiles` here (./answer-unread.ts). */
export function handleLookup(walk: Pick<HandleWalk, 'unread' | 'unreadFolders'>): UnreadLookup {
  return {
    file: (p) => {
      const h = walk.unread.get(p);
      return h && (() => h.getFile());
    },
    folder: (p) => {
      const dir = walk.unreadFolders.get(p);
      return dir && (() => filesUnder(dir, p));
    },
  };
}
