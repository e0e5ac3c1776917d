/** What the share controls do: copy the view's link, export a self-contained page. */
import { create } from 'zustand';
import { selectViewState, serializeViewState, useStore } from '../store';
import { TRACE_WORKER_URL, traceClient } from '../worker/client';
import { copyText, shareLink } from './link';
import { formatBytes } from '../ui/format';

export interface ShareNotice {
  text: string;
  tone: 'ok' | 'error' | 'busy';
  /** The copied link (shown so it can be copied by hand if the clipboard refused). */
  link?: string;
  seq: number;
}

export const useShareNotice = create<{ notice: ShareNotice | null; show(n: Omit<ShareNotice, 'seq'> | null): void }>()((set, get) => ({
  notice: null,
  show: (n) => set({ notice: n ? { ...n, seq: (get().notice?.seq ?? 0) + 1 } : null }),
}));

/** The link to the current view (null without a trace). */
export function currentShareLink(): string | null {
  const s = useStore.getState();
  if (!s.state) return null;
  return shareLink(selectViewState(s), window.location);
}

/** Resolves once the shown bundle's content hash is known: a link names a dropped bundle by it. */
function hashKnown(): Promise<void> {
  if (!useStore.getState().bundleHashPending) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = useStore.subscribe((s) => {
      if (s.bundleHashPending) return;
      stop();
      resolve();
    });
  });
}

export async function copyShareLink(): Promise<string | null> {
  await hashKnown();
  const link = currentShareLink();
  const { show } = useShareNotice.getState();
  if (!link) return null;
  const ok = await copyText(link);
  show(ok ? { text: 'Link copied', tone: 'ok', link } : { text: 'Copy this link:', tone: 'error', link });
  return link;
}

let exporting = false;

/** Builds the exported page for the current trace and view; resolves to its HTML. */
export async function buildCurrentExport(): Promise<{ name: string; html: string }> {
  const s = useStore.getState();
  if (!s.state) throw new Error('No trace is loaded.');
  // The exporter (and its hashing) is a chunk of its own: most pages never export.
  const { buildExportHtml, collectAppCode } = await import('./export');
  const [{ name, zip }, code] = await Promise.all([traceClient.exportBundle(), collectAppCode(document, TRACE_WORKER_URL, window.__ctvWorkerSource)]);
  // The embedded view belongs to the embedded trace by construction: no trace reference to match.
  const view = { ...selectViewState(useStore.getState()), trace: null };
  const html = buildExportHtml({ name: s.bundleLabel ?? name, ...code, zip, view: serializeViewState(view) });
  return { name: s.bundleLabel ?? name, html };
}

export async function exportCurrentView(): Promise<void> {
  if (exporting) return;
  exporting = true;
  const { show } = useShareNotice.getState();
  show({ text: 'Exporting…', tone: 'busy' });
  try {
    const { name, html } = await buildCurrentExport();
    const { downloadHtml } = await import('./export');
    downloadHtml(html, name);
    show({ text: `Exported ${name}.html (${formatBytes(html.length)})`, tone: 'ok' });
  } catch (e) {
    show({ text: `Export failed: ${e instanceof Error ? e.message : String(e)}`, tone: 'error' });
  } finally {
    exporting = false;
  }
}
