/**
 * An exported page (src/share/export.ts) carries the trace and the view in a
 * `<script type="application/json" id="ctv-embedded">` data block: the bundle
 * as a base64 deflated zip, the worker's source (base64), and the view state.
 */
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { parseViewState, type ViewState } from '../store/viewState';

export { EMBEDDED_ID } from './embeddedId';
import { EMBEDDED_ID } from './embeddedId';

export const EmbeddedSchema = z.object({
  format: z.literal('codex-trace-viewer-export'),
  version: z.literal(1),
  name: z.string(),
  /** The view state as its URL JSON (any supported version). */
  view: z.string().nullable(),
  /** base64 of a deflated zip holding `manifest.json`, `trace.jsonl`, `payloads/…` at its root. */
  bundle: z.string(),
  /** base64 of the trace worker's script. */
  worker: z.string(),
});
export type Embedded = z.infer<typeof EmbeddedSchema>;

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export interface EmbeddedTrace {
  name: string;
  view: ViewState | null;
  /** The bundle's files under `<name>/`, as a dropped folder would give them. */
  files: { path: string; file: File }[];
  workerSource: string;
}

/** The embedded trace of an exported page, or null on a normal page. */
export function readEmbedded(doc: Document = document): EmbeddedTrace | null {
  const el = doc.getElementById(EMBEDDED_ID);
  if (!el || el.tagName !== 'SCRIPT') return null;
  let parsed: Embedded;
  try {
    parsed = EmbeddedSchema.parse(JSON.parse(el.textContent ?? ''));
  } catch (e) {
    console.error('exported page: the embedded trace is unreadable', e);
    return null;
  }
  const dir = parsed.name.replace(/[\\/]+/g, '_') || 'bundle';
  const files = Object.entries(unzipSync(base64ToBytes(parsed.bundle))).map(([path, bytes]) => ({
    path: `${dir}/${path}`,
    file: new File([bytes as BlobPart], path.split('/').pop() || path),
  }));
  return {
    name: dir,
    view: parseViewState(parsed.view),
    files,
    workerSource: new TextDecoder().decode(base64ToBytes(parsed.worker)),
  };
}
