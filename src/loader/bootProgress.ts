/**
 * The progress of a `?trace=` link's bundle, shown by the page's first script
 * (src/boot.ts) while the app's main chunk still loads and starts: on a
 * served page the worker reads the bundle from the start (src/worker/early.ts),
 * and the page would otherwise stay blank for as long as the app takes to
 * start. The same words and bar as the app's (LoadProgress.tsx), built with
 * the DOM: the first script carries neither React nor zod. React's first
 * render replaces it, and the app's own progress bar goes on from there.
 */
import type { LoadProgress } from '../store/types';
import { progressFigures, progressLabel, progressPercent } from './progressWords';

/** What the worker reports of a load, as far as this reads it: its progress messages for `id`, each field checked. */
function progressOf(data: unknown, id: number): LoadProgress | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.type !== 'progress' || m.id !== id) return null;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const phases = ['walking', 'reading', 'reducing', 'server', 'receiving'] as const;
  const phase = phases.find((p) => p === m.phase);
  return { bytesDone: n(m.bytesDone), bytesTotal: n(m.bytesTotal), eventsDone: n(m.eventsDone), ...(phase ? { phase } : {}) };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  e.append(...children);
  return e;
}

/**
 * Shows the load of `label` in `container` (the app's root, which React
 * empties on its first render) and follows `worker`'s progress messages for
 * load `id` until then.
 */
export function showBootProgress(container: HTMLElement, label: string, worker: Pick<Worker, 'addEventListener' | 'removeEventListener'>, id: number): void {
  // Text only, never markup: the label comes from the link.
  const what = el('span', 'ctv-load-progress__label', '', el('strong', '', label));
  const figures = el('span', 'ctv-load-progress__figures', '');
  figures.dataset.testid = 'boot-progress-figures';
  const fill = el('div', 'ctv-load-progress__fill');
  const bar = el('div', 'ctv-load-progress__bar', fill);
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-label', 'Trace loading progress');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', '100');
  const box = el('div', 'ctv-load-progress', el('div', 'ctv-load-progress__text', what, figures), bar);
  box.setAttribute('role', 'status');
  box.dataset.testid = 'boot-progress';
  const show = (p: LoadProgress | null) => {
    what.firstChild!.textContent = `${progressLabel(p)} `;
    figures.textContent = progressFigures(p);
    // Until a total is known the bar stays empty, not the app's running stripe: on two cores, an animation repainting
    // every frame while the app starts made served opens slower (alternated opens: median 1,430 ms against 1,287).
    const pct = progressPercent(p);
    if (pct === null) bar.removeAttribute('aria-valuenow');
    else bar.setAttribute('aria-valuenow', String(pct));
    fill.style.width = `${pct ?? 0}%`;
  };
  show(null);
  container.replaceChildren(el('div', 'app', el('div', 'app-notices', box)));
  const onMessage = (e: MessageEvent) => {
    // Gone once React has rendered: the app shows the load from here on.
    if (!box.isConnected) return worker.removeEventListener('message', onMessage);
    const p = progressOf(e.data, id);
    if (p) show(p);
  };
  worker.addEventListener('message', onMessage);
}
