/**
 * Files of a drop handed to the worker as file-system handles (Chromium's
 * `DataTransferItem.getAsFileSystemHandle`). The worker walks the folders and
 * fetches the files itself: the page's own walk creates every File on its
 * main thread, which for hundreds of payloads is one long native task.
 * Structural types, so that tests can pass stand-ins.
 */
import type { InputFile } from '../trace/bundle/scan';

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

/** Every file under the handles, with paths from the dropped items down (`<folder>/payloads/3.json`), in directory order. */
export async function filesFromHandles(handles: readonly DroppedHandle[], signal?: AbortSignal): Promise<InputFile[]> {
  const walk = async (h: DroppedHandle, prefix: string): Promise<InputFile[]> => {
    signal?.throwIfAborted();
    if (h.kind === 'file') return [{ path: prefix + h.name, file: await h.getFile() }];
    const children: Promise<InputFile[]>[] = [];
    for await (const child of h.values()) children.push(walk(child, `${prefix}${h.name}/`));
    return (await Promise.all(children)).flat();
  };
  return (await Promise.all(handles.map((h) => walk(h, '')))).flat();
}
