import { useEffect, useRef, useState, type ReactNode } from 'react';
import { traceClient } from '../worker/client';
import { dragHasFiles, readDrop } from './dataTransfer';
import './loader.css';

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
      const drop = readDrop(e.dataTransfer);
      drop.handles
        .then(async (handles) => {
          if (handles) return void traceClient.loadHandles(handles);
          const walk = traceClient.beginWalk(drop.label);
          const files = await drop.files();
          if (walk.cancelled()) return;
          if (files.length) void traceClient.loadFiles(files);
          else walk.nothing();
        })
        .catch((err) => console.error('could not read the dropped files', err));
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
