/**
 * "Export HTML": one self-contained file with the viewer (JS and CSS inlined),
 * the trace (a deflated zip, base64) and the current view. It opens from
 * file:// with no server and no network: the worker starts from a Blob URL
 * (file:// pages cannot load module workers by URL), and a CSP meta forbids
 * every outside connection (connect-src 'none'; scripts only by hash).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import exportScriptUrl, { workerUrl as exportWorkerUrl } from 'virtual:ctv-export-script';
import { EMBEDDED_ID, bytesToBase64, textToBase64, type Embedded } from './embedded';

export interface ExportParts {
  /** Shown in the title; the bundle's name. */
  name: string;
  /** The app's module script. */
  js: string;
  css: string;
  workerJs: string;
  /** The bundle as a zip. */
  zip: Uint8Array;
  /** The view as its URL JSON, or null. */
  view: string | null;
}

/** Makes text safe inside <script> / <style>: no closing tag, no comment opener. */
export function escapeRawText(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1').replace(/<!--/g, '<\\!--');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** CSP source for an inline script: 'sha256-<base64>'. */
export function scriptHashSource(text: string): string {
  return `'sha256-${bytesToBase64(sha256(new TextEncoder().encode(text)))}'`;
}

/** The Content-Security-Policy of an exported page. */
export function exportCsp(scriptText: string): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHashSource(scriptText)} 'wasm-unsafe-eval'`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    'font-src data:',
    'connect-src data:',
    'worker-src blob:',
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function buildExportHtml(p: ExportParts): string {
  const js = escapeRawText(p.js, 'script');
  const css = escapeRawText(p.css, 'style');
  const embedded: Embedded = {
    format: 'codex-trace-viewer-export',
    version: 1,
    name: p.name,
    view: p.view,
    bundle: bytesToBase64(p.zip),
    worker: textToBase64(p.workerJs),
  };
  const data = JSON.stringify(embedded).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8" />',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(exportCsp(js))}" />`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0" />',
    '<meta name="referrer" content="no-referrer" />',
    `<title>${escapeHtml(p.name)} — Codex trace viewer</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    '<div id="root"></div>',
    '<noscript>The Codex trace viewer needs JavaScript.</noscript>',
    `<script type="application/json" id="${EMBEDDED_ID}">${data}</script>`,
    `<script type="module">${js}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/**
 * The running app's own code: the inline elements of an exported page, else
 * the app built as one module (`oneModuleUrl`, see vite.config.ts: the page's
 * own module script imports other chunks, which an exported page could not
 * load), else (the dev server) the page's module script as it is. The
 * worker's likewise: an exported page's, else the worker built as one file
 * (`oneFileWorkerUrl`: the served worker imports chunks), else its own script.
 */
export async function collectAppCode(
  doc: Document,
  workerUrl: string,
  inlineWorker: string | undefined,
  oneModuleUrl: string | null = exportScriptUrl,
  oneFileWorkerUrl: string | null = exportWorkerUrl,
): Promise<{ js: string; css: string; workerJs: string }> {
  const inline = doc.getElementById(EMBEDDED_ID) ? doc.querySelector<HTMLScriptElement>('script[type="module"]:not([src])') : null;
  const scripts = doc.querySelectorAll<HTMLScriptElement>('script[type="module"][src]');
  let js: string;
  if (inline) js = inline.textContent ?? '';
  else if (oneModuleUrl) js = await fetchText(new URL(oneModuleUrl, doc.baseURI).href);
  else if (scripts.length) js = await fetchText(scripts[scripts.length - 1].src);
  else throw new Error('the app script was not found');
  const cssParts: string[] = [];
  for (const el of Array.from(doc.querySelectorAll<HTMLLinkElement | HTMLStyleElement>('link[rel="stylesheet"], style'))) {
    if (el instanceof HTMLLinkElement) cssParts.push(await fetchText(el.href));
    else cssParts.push(el.textContent ?? '');
  }
  const workerJs = inlineWorker ?? (await fetchText(new URL(oneFileWorkerUrl ?? workerUrl, doc.baseURI).href));
  // Source-map comments would point at files the exported page does not have.
  const strip = (t: string) => t.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n').replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, '');
  return { js: strip(js), css: strip(cssParts.join('\n')), workerJs: strip(workerJs) };
}

/** Offers `html` as a download named `<name>.html`. */
export function downloadHtml(html: string, name: string, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = `${name.replace(/[\\/:*?"<>|]+/g, '_') || 'trace'}.html`;
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
