import { useEffect, useRef } from 'react';
import { traceClient } from '../worker/client';
import './loader.css';

/** "Open files" and "Open folder" buttons (each backed by a hidden file input). */
export function LoadControls() {
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // Not in React's attribute types; set on the element directly.
    if (folderRef.current) folderRef.current.webkitdirectory = true;
  }, []);

  const onChange = (e: React.ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget;
    const files = input.files ? Array.from(input.files) : [];
    input.value = ''; // so that picking the same thing again reloads it
    if (files.length) void traceClient.loadFiles(files);
  };

  return (
    <div className="ctv-load-controls" role="group" aria-label="Open a trace">
      <button type="button" className="ctv-btn" onClick={() => filesRef.current?.click()} title="Open bundle files, or a .zip / .tar.gz archive">
        Open files…
      </button>
      <button type="button" className="ctv-btn" onClick={() => folderRef.current?.click()} title="Open a bundle folder (or a folder of bundles)">
        Open folder…
      </button>
      <input
        ref={filesRef}
        type="file"
        multiple
        accept=".zip,.tgz,.tar.gz,.gz,.tar,.json,.jsonl,application/zip,application/gzip"
        hidden
        data-testid="file-input"
        aria-label="Open trace files"
        onChange={onChange}
      />
      <input ref={folderRef} type="file" hidden data-testid="folder-input" aria-label="Open a trace folder" onChange={onChange} />
    </div>
  );
}
