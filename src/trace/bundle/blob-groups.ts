/**
 * Reading many dropped or picked files. Chromium serves every read of a Blob
 * through a round trip of its own to the browser process, and that trip,
 * not the bytes, is what a bundle of small payload files costs: 1–2 ms a file
 * here, so 440 files took 0.5 s read in parallel and 6,134 took 16 s. One read
 * of a Blob made of many Files costs about one trip (the 6,134 files, 64 to a
 * Blob: 1.6 s). So files are read a group at a time, and the group's bytes
 * are cut back into files.
 */

export interface BlobItem {
  readonly path: string;
  readonly file: Blob;
}

export interface GroupLimits {
  /** Most files in a group. */
  files: number;
  /** Most bytes in a group; a larger file is read alone. */
  bytes: number;
  /** Groups being read at once: bounds the bytes in transit. */
  inFlight: number;
}

export const GROUP_LIMITS: GroupLimits = { files: 64, bytes: 8 << 20, inFlight: 8 };

/** Reads Blobs, one after another, into one buffer: here by default, or on another thread (src/worker/blob-reader.ts). */
export type ReadBlobs = (blobs: readonly Blob[]) => Promise<ArrayBuffer>;

export const readBlobsHere: ReadBlobs = (blobs) => new Blob(blobs as Blob[]).arrayBuffer();

/** One file of a group: its bytes (a view over the group's one buffer), or why its own read failed. */
export interface GroupRead<T extends BlobItem> {
  item: T;
  body: Uint8Array | Error;
}

/** Consecutive items, at most `limits.files` and `limits.bytes` a group, order kept. */
export function groupBlobs<T extends BlobItem>(items: readonly T[], limits: Pick<GroupLimits, 'files' | 'bytes'> = GROUP_LIMITS): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = item.file.size;
    if (group.length > 0 && (group.length >= limits.files || bytes + size > limits.bytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Reads every item, `limits.inFlight` groups at a time and in order, handing
 * each group to `deliver` as its read completes (groups may complete out of
 * order). A group whose read fails (a file moved, deleted or changed since it
 * was dropped) is read again a file at a time, so that each error belongs to
 * its own file. Stops asking for more once `live()` is false. `admit`, when
 * given, is awaited before each group is read (called in the groups' order):
 * a reader that keeps only so much ahead holds the next group back there.
 * `lead`: the first `lead` items (a bundle's manifest and event log) are a
 * group of their own, read before any other: the reducer starts on them while
 * the payloads are read, instead of waiting for the first group of 64 files.
 */
export async function readGrouped<T extends BlobItem>(
  items: readonly T[],
  deliver: (group: GroupRead<T>[]) => void,
  options: { limits?: GroupLimits; live?: () => boolean; admit?: (group: readonly T[]) => Promise<void>; lead?: number; read?: ReadBlobs } = {},
): Promise<void> {
  const readBlobs = options.read ?? readBlobsHere;
  const limits = options.limits ?? GROUP_LIMITS;
  const live = options.live ?? (() => true);
  const lead = Math.min(options.lead ?? 0, items.length);
  const groups = lead > 0 ? [items.slice(0, lead), ...groupBlobs(items.slice(lead), limits)] : groupBlobs(items, limits);
  let next = 0;
  const readNext = async () => {
    const group = groups[next++];
    await options.admit?.(group);
    if (!live()) return;
    const read = await readGroup(group, readBlobs);
    if (live()) deliver(read);
  };
  if (lead > 0 && live()) await readNext();
  const lane = async () => {
    while (next < groups.length && live()) await readNext();
  };
  await Promise.all(Array.from({ length: Math.min(limits.inFlight, groups.length) }, lane));
}

async function readGroup<T extends BlobItem>(group: readonly T[], readBlobs: ReadBlobs): Promise<GroupRead<T>[]> {
  if (group.length > 1) {
    const sizes = group.map((i) => i.file.size);
    const buffer = await readBlobs(group.map((i) => i.file)).catch(() => null);
    if (buffer !== null && buffer.byteLength === sizes.reduce((a, b) => a + b, 0)) {
      let at = 0;
      return group.map((item, i) => {
        const body = new Uint8Array(buffer, at, sizes[i]);
        at += sizes[i];
        return { item, body };
      });
    }
  }
  return Promise.all(group.map(async (item) => ({ item, body: await readOne(item.file) })));
}

async function readOne(file: Blob): Promise<Uint8Array | Error> {
  try {
    return new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
