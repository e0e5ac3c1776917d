import { useEffect, useRef, useState, type ReactNode } from 'react';
import { traceClient } from '../worker/client';
import type { DroppedHandle } from '../worker/handles';
import { dragHasFiles, readDrop, type Drop, type Walked } from './dataTransfer';
import './loader.css';

/** How often the walk of a dropped folder reports how far it is. */
const WALK_PROGRESS_MS = 100;

/**
 * Opens a drop both ways at once: the browser's file-system handles (the
 * worker then walks and reads the folder, off this thread) and a walk here.
 * Whichever has the files first opens them; the other is dropped. Chromium
 * has been seen to take over 300 ms to hand out the handles of a folder of
 * three files, which a walk here lists in milliseconds; for a folder of
 * thousands the handles usually come first, and the walk stops. The load
 * shows from the drop on, and Cancel stops either.
 */
async function openDrop(drop: Drop): Promise<void> {
  const walk = traceClient.beginWalk(drop.label);
  const stop = new AbortController();
  // A trace root of a thousand bundles takes the walk here tens of seconds: it says how far it is, a few times a second.
  let files = 0;
  let bytes = 0;
  let toldAt = -Infinity;
  let later: ReturnType<typeof setTimeout> | null = null;
  const tell = () => {
    later = null;
    toldAt = performance.now();
    walk.progress(files, bytes);
  };
  const onFile = (f: File | null) => {
    files++;
    bytes += f?.size ?? 0;
    // At most every WALK_PROGRESS_MS, and the count a pause stops at is told too.
    if (performance.now() - toldAt >= WALK_PROGRESS_MS) tell();
    else later ??= setTimeout(tell, WALK_PROGRESS_MS);
  };
  type Found = { walked: Walked } | { handles: DroppedHandle[] } | null;
  const walked: Promise<Found> = drop.files(stop.signal, onFile).then(
    (found) => ({ walked: found }),
    (e: unknown) => {
      if (stop.signal.aborted) return null;
      throw e;
    },
  );
  // Handles that do not come (null) leave it to the walk; a walk that fails leaves it to the handles.
  let first: Found;
  try {
    first = await Promise.race([walked, drop.handles.then((handles): Promise<Found> | Found => (handles ? { handles } : walked))]).catch(async (e: unknown) => {
      const handles = await drop.handles;
      if (handles) return { handles };
      throw e;
    });
  } catch (e) {
    // Neither way in: said on the page, not left as a walk that never ends.
    walk.failed({
      file: drop.label,
      line: null,
      seq: null,
      message: `${drop.label} could not be read from the drop. Drop it again, or open it with Open folder…`,
      causes: [e instanceof Error ? e.message : String(e)],
    });
    return;
  }
  if (!first || walk.cancelled()) {
    stop.abort();
    return;
  }
  if ('handles' in first) {
    stop.abort();
    void traceClient.loadHandles(first.handles);
  } else if (first.walked.files.length || first.walked.unread.files.length || first.walked.unread.folders.length)
    void traceClient.loadFiles(first.walked.files, undefined, { unread: first.walked.unread });
  else walk.nothing();
}

/**
 * Makes the whole window a drop target for trace bundles (folders, loose
 * files, .zip, .tar.gz) and shows an overlay while files are dragged over it.
 * Wraps the app; renders its children unchanged.
 */
export function DropZone({ children }: { children?: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  // Over a control that takes its own drops (a price table): no "open the trace" overlay there.
  const [overOwn, setOverOwn] = useState(false);
  // dragenter/dragleave fire for every child element crossed; count them.
  const depth = useRef(0);

  useEffect(() => {
    const onEnter = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      e.preventDefault();
      depth.current++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      e.preventDefault(); // allows the drop
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setOverOwn(e.target instanceof Element && e.target.closest('[data-own-drop]') !== null);
    };
    const onLeave = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      depth.current = 0;
      setDragging(false);
      // A control inside the page took it (and prevented it): not a bundle.
      if (e.defaultPrevented || !e.dataTransfer || !dragHasFiles(e.dataTransfer)) return;
      e.preventDefault(); // otherwise the browser navigates to the file
      openDrop(readDrop(e.dataTransfer)).catch((err) => console.error('could not read the dropped files', err));
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  return (
    <div className="ctv-dropzone" data-dragging={dragging || undefined}>
      {children}
      {dragging && !overOwn && (
        <div className="ctv-drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          <div className="ctv-drop-overlay__card">
            <div className="ctv-drop-overlay__title">Drop to open the trace</div>
            <div className="ctv-drop-overlay__hint">a bundle folder (manifest.json, trace.jsonl, payloads/), or a .zip / .tar.gz of one or more bundles</div>
          </div>
        </div>
      )}
    </div>
  );
}
