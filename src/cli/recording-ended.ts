/**
 * Whether Codex has finished writing a bundle, from the end of its event
 * log alone (the whole log can be hundreds of megabytes): its last line is
 * the event that ends a recording. Schemas and releases before
 * `recording_completed` end with `rollout_ended`; releases that have it write
 * it just after `rollout_ended`, so that one counts only once the log has
 * stopped changing for a moment.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';

/** Bytes read from the log's end: an ending event's line is a few hundred. */
const TAIL_BYTES = 16 * 1024;

/** How long a log ending in `rollout_ended` must have been left alone. */
export const ENDED_QUIET_MS = 5_000;

export async function recordingEnded(bundleDir: string, now = Date.now()): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>> | null = null;
  try {
    fh = await open(path.join(bundleDir, 'trace.jsonl'), 'r');
    const st = await fh.stat();
    if (!st.isFile() || st.size === 0) return false;
    const want = Math.min(TAIL_BYTES, st.size);
    const buf = Buffer.alloc(want);
    const { bytesRead } = await fh.read(buf, 0, want, st.size - want);
    const tail = buf.subarray(0, bytesRead).toString('utf8');
    // A log that does not end in a newline is being written (or was cut short): not ended.
    if (!tail.endsWith('\n')) return false;
    const last = tail.slice(tail.lastIndexOf('\n', tail.length - 2) + 1).trim();
    const type = eventType(last);
    return type === 'recording_completed' || (type === 'rollout_ended' && now - st.mtimeMs >= ENDED_QUIET_MS);
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

function eventType(line: string): string | null {
  try {
    const ev: unknown = JSON.parse(line);
    const payload = ev && typeof ev === 'object' && Object.hasOwn(ev, 'payload') ? (ev as { payload: unknown }).payload : null;
    const type = payload && typeof payload === 'object' && Object.hasOwn(payload, 'type') ? (payload as { type: unknown }).type : null;
    return typeof type === 'string' ? type : null;
  } catch {
    return null;
  }
}
