import type { ProgressMsg as Progress, WorkerResponse } from './protocol';

/**
 * Progress reporting for one job: at most one message per `interval`, and
 * always the last one. The reducer counts payload bytes as it reads them but
 * knows only trace.jsonl's size up front; when the whole bundle's size is
 * known here (`expectedBytes`), it is the total instead.
 */
export function progressReporter(post: (msg: WorkerResponse) => void, id: number, expectedBytes: number | null, interval: number, now: () => number) {
  let last = -Infinity;
  let lastPhase: Progress['phase'];
  let pending: Progress | null = null;
  let trailing: ReturnType<typeof setTimeout> | null = null;
  const send = () => {
    if (trailing !== null) clearTimeout(trailing);
    trailing = null;
    if (!pending) return;
    last = now();
    lastPhase = pending.phase;
    post({ type: 'progress', id, ...pending });
    pending = null;
  };
  return {
    push(raw: Progress) {
      pending = expectedBytes ? { ...raw, bytesTotal: Math.max(raw.bytesTotal, expectedBytes, raw.bytesDone) } : raw;
      if (now() - last >= interval || pending.phase !== lastPhase) send();
      // A report held back by the interval still goes out when the interval ends, even if no other follows it.
      else trailing ??= setTimeout(send, interval);
    },
    flush: send,
  };
}
