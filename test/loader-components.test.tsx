// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleListButton, BundlePicker, DropZone, LoadBanner, LoadControls, LoadProgress } from '../src/loader';
import { loadStartupBundle } from '../src/loader/startup';
import { resetStore, useStore } from '../src/store';
import { traceClient, type Transport } from '../src/worker/client';
import { createWorkerHandler, type HandlerDeps } from '../src/worker/handler';
import { clearPicker } from '../src/loader/pickerStore';
import { connectLoadsToStores } from '../src/loader/connect';
import { formatBytes } from '../src/ui/format';
import type { WorkerRequest } from '../src/worker/protocol';
import { DIAGNOSTIC_SAMPLE_LIMIT, type DiagnosticGroup } from '../src/trace/diagnostics';
import { TRACES, fixtureState, folderInputs, handleFor, listFiles, officialCounts } from './loader-helpers';

connectLoadsToStores();

/** The worker's handler, run in-process; replies arrive asynchronously as they would from a Worker. */
function useInProcessWorker(deps: HandlerDeps = {}) {
  const sent: WorkerRequest[] = [];
  traceClient.setTransportFactory((): Transport => {
    let deliver: (d: unknown) => void = () => {};
    const handler = createWorkerHandler((m) => setTimeout(() => deliver(m), 0), deps);
    return {
      post: (msg) => {
        sent.push(msg);
        void handler(msg);
      },
      listen: (onMessage) => {
        deliver = onMessage;
      },
      terminate: () => {},
    };
  });
  return sent;
}

function Loader() {
  return (
    <DropZone>
      <BundleListButton />
      <LoadControls />
      <LoadProgress />
      <LoadBanner />
      <BundlePicker />
      <main data-testid="content">content</main>
    </DropZone>
  );
}

/** Files as a folder picker returns them (webkitRelativePath set). */
function pickedFolder(name: string): File[] {
  return folderInputs(name).map(({ path: p, file }) => {
    Object.defineProperty(file, 'webkitRelativePath', { value: p });
    return file as File;
  });
}

function counts() {
  const s = useStore.getState().state!;
  const n = (o: object) => Object.keys(o).length;
  return {
    threads: n(s.threads),
    turns: n(s.codex_turns),
    items: n(s.conversation_items),
    inferenceCalls: n(s.inference_calls),
    toolCalls: n(s.tool_calls),
    compactions: n(s.compactions),
  };
}

/** A fake FileSystemEntry tree over a fixture folder, as `webkitGetAsEntry` gives for a dropped folder. */
function entryFor(absDir: string, fullPath: string, reads?: string[]): FileSystemEntry {
  const names = listFiles(absDir, absDir);
  const children = new Map<string, string[]>();
  for (const rel of names) {
    const [head, ...rest] = rel.split('/');
    const list = children.get(head) ?? [];
    if (rest.length) list.push(rest.join('/'));
    children.set(head, list);
  }
  const dir = {
    isFile: false,
    isDirectory: true,
    name: path.basename(absDir),
    fullPath,
    createReader() {
      // A folder's listing is told as `list:<path>` (entering a bundle's payloads/ costs a root as much as reading them).
      reads?.push(`list:${fullPath.slice(1)}`);
      // Hand out entries in batches of 2, like browsers do in batches of 100.
      const all = [...children.keys()].map((name) => {
        const p = path.join(absDir, name);
        if (children.get(name)!.length) return entryFor(p, `${fullPath}/${name}`, reads);
        return {
          isFile: true,
          isDirectory: false,
          name,
          fullPath: `${fullPath}/${name}`,
          file: (ok: (f: File) => void) => {
            reads?.push(`${fullPath}/${name}`.slice(1));
            ok(new File([readFileSync(p)], name));
          },
        } as unknown as FileSystemEntry;
      });
      let at = 0;
      return { readEntries: (ok: (e: FileSystemEntry[]) => void) => setTimeout(() => ok(all.slice(at, (at += 2))), 0) };
    },
  };
  return dir as unknown as FileSystemEntry;
}

/** A drop's DataTransfer; with `handles`, its items also give file-system handles (as Chromium's do). */
function dropEventData(entries: FileSystemEntry[], handles?: (() => Promise<unknown>)[]) {
  return {
    types: ['Files'],
    files: [],
    items: entries.map((e, i) => ({
      kind: 'file',
      webkitGetAsEntry: () => e,
      getAsFile: () => null,
      ...(handles ? { getAsFileSystemHandle: handles[i] } : {}),
    })),
    dropEffect: 'none',
  };
}

beforeEach(() => {
  resetStore();
  clearPicker();
});
afterEach(() => {
  traceClient.cancel();
  cleanup();
});

/** Open a <details> as a click on its summary would (happy-dom does not toggle it): React hears the toggle event. */
function openDetails(el: Element) {
  act(() => {
    (el as HTMLDetailsElement).open = true;
    el.dispatchEvent(new Event('toggle'));
  });
}

/** A group of `count` skipped events of `type` from line `first` (seq one less), with the sample the reducer keeps. */
function group(type: string, count: number, first: number): DiagnosticGroup {
  const sample = Array.from({ length: Math.min(count, DIAGNOSTIC_SAMPLE_LIMIT) }, (_, i) => ({ line: first + i, seq: first + i - 1 }));
  return {
    kind: 'unknown_event_type',
    file: 'trace.jsonl',
    eventType: type,
    message: `unknown event type \`${type}\``,
    count,
    first: { line: first, seq: first - 1 },
    last: { line: first + count - 1, seq: first + count - 2 },
    sample,
    omitted: count - sample.length,
  };
}

describe('loader components', () => {
  // happy-dom does no layout: give the list of skipped lines the height the browser would (its style's).
  let savedClientHeight: PropertyDescriptor | undefined;
  beforeEach(() => {
    const proto = HTMLElement.prototype;
    savedClientHeight = Object.getOwnPropertyDescriptor(proto, 'clientHeight');
    Object.defineProperty(proto, 'clientHeight', {
      configurable: true,
      get() {
        return this.classList?.contains('ctv-banner__occurrences') ? parseFloat(this.style.height) || 0 : 0;
      },
    });
  });
  afterEach(() => {
    const proto = HTMLElement.prototype;
    if (savedClientHeight) Object.defineProperty(proto, 'clientHeight', savedClientHeight);
    else delete (proto as unknown as Record<string, unknown>).clientHeight;
  });

  it('loads a folder picked with "Open folder…": no banner, the official counts in the store', async () => {
    useInProcessWorker();
    render(<Loader />);
    const input = screen.getByTestId('folder-input') as HTMLInputElement;
    expect(input.webkitdirectory).toBe(true);
    fireEvent.change(input, { target: { files: pickedFolder('compaction-remote') } });
    expect(useStore.getState().load).toMatchObject({ phase: 'loading', label: 'compaction-remote' });
    await waitFor(() => expect(useStore.getState().load.phase).toBe('ready'));
    expect(counts()).toEqual(officialCounts('compaction-remote'));
    expect(screen.queryByTestId('load-banner')).toBeNull();
    expect(screen.queryByTestId('load-progress')).toBeNull();
  });

  it('shows bytes and events while loading, and Cancel leaves a "cancelled" notice', async () => {
    let release: () => void = () => {};
    const dir = path.join(TRACES, 'single-turn-answer');
    const bundleBytes = listFiles(dir, dir)
      .filter((p) => p === 'manifest.json' || p === 'trace.jsonl' || p.startsWith('payloads/'))
      .reduce((n, p) => n + readFileSync(path.join(dir, p)).byteLength, 0);
    const quarter = Math.floor(bundleBytes / 4);
    const sent = useInProcessWorker({
      reduce: (src, opts) =>
        new Promise((_resolve, reject) => {
          opts?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          release = () => reject(new Error('never'));
          // Report once every file has arrived, so that the total is the bundle's size rather than an estimate.
          void src.readText('trace.jsonl').then(() => setTimeout(() => opts?.onProgress?.({ bytesDone: quarter, bytesTotal: 1, eventsDone: 1234 }), 50));
        }),
    });
    render(<Loader />);
    act(() => void traceClient.loadFiles(pickedFolder('single-turn-answer')));
    const progress = await screen.findByTestId('load-progress');
    await waitFor(() =>
      expect(within(progress).getByTestId('load-progress-figures').textContent).toBe(`${formatBytes(quarter)} of ${formatBytes(bundleBytes)} · 1,234 events`),
    );
    expect(within(progress).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    fireEvent.click(within(progress).getByTestId('load-cancel'));
    expect(sent.map((m) => m.type).filter((t) => t !== 'bytes' && t !== 'landed')).toEqual(['load', 'cancel']);
    expect(useStore.getState().load.phase).toBe('cancelled');
    expect(screen.queryByTestId('load-progress')).toBeNull();
    expect(screen.getByTestId('load-banner').dataset.kind).toBe('cancelled');
    expect(screen.getByTestId('load-banner').textContent).toContain('single-turn-answer');
    release();
  });

  it('a new load while one runs cancels the old one; only the new one lands', async () => {
    const sent = useInProcessWorker();
    render(<Loader />);
    const first = traceClient.loadFiles(pickedFolder('long-session'));
    const second = traceClient.loadFiles(pickedFolder('single-turn-answer'));
    expect(await first).toBe('cancelled');
    expect(await second).toBe('ready');
    // The first load was cut short while its files were still being read and sent.
    expect(sent.map((m) => m.type).filter((t) => t !== 'bytes' && t !== 'landed')).toEqual(['load', 'cancel', 'load']);
    expect(sent.filter((m) => m.type === 'load').map((m) => m.type === 'load' && m.input.kind)).toEqual(['stream', 'stream']);
    expect(useStore.getState().load).toMatchObject({ phase: 'ready', label: 'single-turn-answer' });
    expect(counts()).toEqual(officialCounts('single-turn-answer'));
  });

  it('loose bundle files picked without their folder (manifest.json, trace.jsonl, N.json or shards) open as the bundle', async () => {
    useInProcessWorker();
    render(<Loader />);
    const flat = (dir: string) =>
      listFiles(dir, dir)
        .filter((p) => p === 'manifest.json' || p === 'trace.jsonl' || p.startsWith('payloads/'))
        .map((p) => new File([readFileSync(path.join(dir, p))], path.basename(p)));
    for (const [dir, name] of [
      [path.join(TRACES, 'compaction-remote'), 'compaction-remote'],
      [path.join(TRACES, '../traces-schema3/compaction-remote'), null],
    ] as const) {
      const files = flat(dir);
      expect(files.some((f) => /^\d+\.(json|zst)$/.test(f.name))).toBe(true);
      await act(() => traceClient.loadFiles(files));
      expect(useStore.getState().load.error).toBeNull();
      expect(useStore.getState().load.phase).toBe('ready');
      if (name) expect(counts()).toEqual(officialCounts(name));
      else expect(Object.keys(useStore.getState().state!.compactions).length).toBeGreaterThan(0);
      expect(screen.queryByTestId('load-banner')).toBeNull();
    }
  });

  it('a load that stops before any thread was read shows the failure, never an empty "running" trace: alone, or above the trace shown before', async () => {
    useInProcessWorker();
    render(<Loader />);
    const dir = path.join(TRACES, 'single-turn-answer');
    // manifest.json and trace.jsonl without any payload: the reducer stops at the first payload it needs.
    const withoutPayloads = () => ['manifest.json', 'trace.jsonl'].map((n) => new File([readFileSync(path.join(dir, n))], n));
    await act(() => traceClient.loadFiles(withoutPayloads()));
    expect(useStore.getState().load.phase).toBe('failed');
    expect(useStore.getState().state).toBeNull();
    let banner = screen.getByTestId('load-banner');
    expect(banner.dataset.kind).toBe('failed');
    expect(banner.textContent).toContain('payloads/1.json');
    // With a trace open, that trace stays.
    await act(() => traceClient.loadFiles(pickedFolder('compaction-remote')));
    const shown = useStore.getState().state;
    await act(() => traceClient.loadFiles(withoutPayloads()));
    expect(useStore.getState().state).toBe(shown);
    banner = screen.getByTestId('load-banner');
    expect(banner.dataset.kind).toBe('open-failed');
    expect(banner.textContent).toContain('payloads/1.json');
  });

  it('a truncated trace: banner with file, line and seq above the partial data', async () => {
    useInProcessWorker();
    render(<Loader />);
    await act(() => traceClient.loadFiles(pickedFolder('broken/truncated-mid-file')));
    const banner = screen.getByTestId('load-banner');
    expect(banner.dataset.kind).toBe('partial');
    expect(within(banner).getByTestId('load-error-file').textContent).toBe('trace.jsonl');
    expect(within(banner).getByTestId('load-error-line').textContent).toBe('line 10');
    expect(within(banner).getByTestId('load-error-seq').textContent).toBe('seq 10');
    expect(within(banner).getByTestId('load-error-message').textContent).toContain('parse trace event line 10');
    expect(useStore.getState().state).not.toBeNull();
    // The banner comes before the content in document order (it sits above the data).
    expect(banner.compareDocumentPosition(screen.getByTestId('content')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('an unknown event type: one row for its group, naming type, line and seq', async () => {
    useInProcessWorker();
    render(<Loader />);
    await act(() => traceClient.loadFiles(pickedFolder('broken/unknown-event-type')));
    const diags = screen.getByTestId('load-diagnostics');
    expect(diags.textContent).toMatch(/Skipped 1 event of an unknown type/);
    // The rows are made when the notice is opened.
    expect(within(diags).queryAllByTestId('load-diagnostic')).toHaveLength(0);
    openDetails(diags);
    const [d] = within(diags).getAllByTestId('load-diagnostic');
    expect(d.textContent).toBe('Skipped 1 event of type totally_unknown_event, line 7 (seq 6)');
    openDetails(d.querySelector('details')!);
    const [o] = within(d).getAllByTestId('load-diagnostic-occurrence');
    expect(o.textContent).toBe('trace.jsonl line 7, seq 6');
  });

  it('a bundle refused for its size says what to do instead, apart from what went wrong', () => {
    render(<LoadBanner />);
    act(() =>
      useStore.getState().failLoad({
        label: 'x',
        error: {
          file: 'trace.jsonl',
          line: null,
          seq: null,
          message: "This bundle's event log is too large for a browser tab to reduce: 24 MiB, over the 32.0 MiB limit; nothing was read.",
          causes: [],
          advice: ['`codex-trace-viewer serve <bundle>` opens it in the browser all the same', '`codex-trace-viewer reduce <bundle>` writes its state.json'],
        },
      }),
    );
    const banner = screen.getByRole('alert');
    expect(banner.textContent).not.toContain('caused by');
    const advice = within(banner).getByTestId('load-error-advice');
    expect(advice.textContent).toMatch(/^What to do instead:/);
    expect(
      within(advice)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['`codex-trace-viewer serve <bundle>` opens it in the browser all the same', '`codex-trace-viewer reduce <bundle>` writes its state.json']);
  });

  it('skipped events alone: the notice says the rest was read', () => {
    render(<LoadBanner />);
    act(() =>
      useStore.getState().finishLoad({
        label: 'x',
        manifest: null,
        state: fixtureState('single-turn-answer') as never,
        error: null,
        diagnostics: [group('future_event', 1, 3)],
        bundleKey: 'k',
      }),
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('load-diagnostics').textContent).toMatch(/Skipped 1 event of an unknown type; the rest of the trace was read\./);
  });

  it('200,000 skipped events: one row per group, and the opened list makes only a window of rows', () => {
    render(<LoadBanner />);
    act(() =>
      useStore.getState().finishLoad({
        label: 'x',
        manifest: null,
        state: fixtureState('single-turn-answer') as never,
        error: null,
        diagnostics: [group('foo_bar', 200_000, 7), group('baz_qux', 3, 300_000)],
        bundleKey: 'k',
      }),
    );
    const diags = screen.getByTestId('load-diagnostics');
    expect(diags.querySelector('summary')!.textContent).toMatch(/^Skipped 200,003 events of unknown types; the rest of the trace was read\./);
    openDetails(diags);
    const rows = within(diags).getAllByTestId('load-diagnostic');
    expect(rows.map((r) => r.querySelector('summary')!.textContent)).toEqual([
      'Skipped 200,000 events of type foo_bar, lines 7–200,006 (seq 6–200,005)',
      'Skipped 3 events of type baz_qux, lines 300,000–300,002 (seq 299,999–300,001)',
    ]);
    expect(within(rows[0]).queryAllByTestId('load-diagnostic-occurrence')).toHaveLength(0);
    openDetails(rows[0].querySelector('details')!);
    const list = within(rows[0]).getByTestId('load-diagnostic-occurrences');
    expect(list.dataset.count).toBe(String(DIAGNOSTIC_SAMPLE_LIMIT));
    const shown = within(list).getAllByTestId('load-diagnostic-occurrence');
    // Virtualized: a window of the 1,000 kept occurrences is in the DOM, starting at the first.
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(50);
    expect(shown[0].textContent).toBe('trace.jsonl line 7, seq 6');
    expect(within(rows[0]).getByTestId('load-diagnostic-omitted').textContent).toBe(
      'The first 1,000 are listed; 199,000 more are not (the last is line 200,006 (seq 200,005)).',
    );
    expect(diags.querySelectorAll('*').length).toBeLessThan(300);
  });

  it('a missing manifest or another schema version: a plain explanation, nothing loaded', async () => {
    useInProcessWorker();
    render(<Loader />);
    await act(() => traceClient.loadFiles(pickedFolder('broken/missing-manifest')));
    let banner = screen.getByTestId('load-banner');
    expect(banner.dataset.kind).toBe('failed');
    expect(banner.textContent).toContain('Could not open missing-manifest');
    expect(banner.textContent).toContain('manifest.json is missing');
    expect(useStore.getState().state).toBeNull();

    await act(() => traceClient.loadFiles(pickedFolder('broken/unknown-schema-version')));
    banner = screen.getByTestId('load-banner');
    expect(banner.textContent).toMatch(/trace schema 99: no Codex release writes it/);
  });

  it('a dropped folder goes to the worker as a handle when the browser gives one, and is walked here when the walk is done first', async () => {
    const sent = useInProcessWorker();
    render(<Loader />);
    const dir = path.join(TRACES, 'compaction-remote');
    fireEvent.drop(window, { dataTransfer: dropEventData([entryFor(dir, '/compaction-remote')], [async () => handleFor(dir)]) });
    await waitFor(() => expect(useStore.getState().load.phase).toBe('ready'));
    expect(counts()).toEqual(officialCounts('compaction-remote'));
    expect(sent.filter((m) => m.type === 'load').map((m) => m.type === 'load' && m.input.kind)).toEqual(['handles']);

    // A handle that never comes (seen with very large folders): the folder is walked on this thread instead.
    sent.length = 0;
    act(() => useStore.getState().failLoad({ label: 'x', error: { file: '', line: null, seq: null, message: 'reset', causes: [] } }));
    const dir2 = path.join(TRACES, 'multi-agent');
    fireEvent.drop(window, { dataTransfer: dropEventData([entryFor(dir2, '/multi-agent')], [() => new Promise(() => {})]) });
    await waitFor(() => expect(useStore.getState().load).toMatchObject({ phase: 'ready', label: 'multi-agent' }), { timeout: 3000 });
    expect(counts()).toEqual(officialCounts('multi-agent'));
    expect(sent.filter((m) => m.type === 'load').map((m) => m.type === 'load' && m.input.kind)).toEqual(['stream']);

    // Handles that come late (Chromium has taken over 300 ms for a folder of three files; these come just under
    // the 300 ms the page once waited for them): the walk here, done in milliseconds, opens the folder, and the
    // handles that come after it open nothing more.
    sent.length = 0;
    act(() => useStore.getState().failLoad({ label: 'x', error: { file: '', line: null, seq: null, message: 'reset', causes: [] } }));
    const dir3 = path.join(TRACES, 'single-turn-answer');
    let handedAt = Infinity;
    const late = () =>
      new Promise((r) =>
        setTimeout(() => {
          handedAt = performance.now();
          r(handleFor(dir3));
        }, 290),
      );
    fireEvent.drop(window, { dataTransfer: dropEventData([entryFor(dir3, '/single-turn-answer')], [late]) });
    await waitFor(() => expect(sent.some((m) => m.type === 'load')).toBe(true));
    expect(performance.now()).toBeLessThan(handedAt);
    await waitFor(() => expect(useStore.getState().load).toMatchObject({ phase: 'ready', label: 'single-turn-answer' }));
    await new Promise((r) => setTimeout(r, 500));
    expect(sent.filter((m) => m.type === 'load').map((m) => m.type === 'load' && m.input.kind)).toEqual(['stream']);
  });

  it('a folder this thread cannot walk opens through its handles, or fails with a message, never a walk without end', async () => {
    const sent = useInProcessWorker();
    render(<Loader />);
    /** The folder's entry, whose listing fails as a folder moved away since the drop does. */
    const unlistable = (dir: string, name: string) => {
      const top = entryFor(dir, `/${name}`) as FileSystemDirectoryEntry;
      top.createReader = () =>
        ({
          readEntries: (_ok: FileSystemEntriesCallback, err?: ErrorCallback) =>
            err?.(new DOMException('A requested file or directory could not be found', 'NotFoundError')),
        }) as FileSystemDirectoryReader;
      return top;
    };
    const dir = path.join(TRACES, 'compaction-remote');
    // The handles come after the walk here has failed: they open it.
    const slow = () => new Promise((r) => setTimeout(() => r(handleFor(dir)), 50));
    fireEvent.drop(window, { dataTransfer: dropEventData([unlistable(dir, 'compaction-remote')], [slow]) });
    await waitFor(() => expect(useStore.getState().load).toMatchObject({ phase: 'ready', label: 'compaction-remote' }));
    expect(sent.filter((m) => m.type === 'load').map((m) => m.type === 'load' && m.input.kind)).toEqual(['handles']);

    // No handles at all: the page says the drop could not be read, above the trace it keeps.
    fireEvent.drop(window, { dataTransfer: dropEventData([unlistable(dir, 'compaction-remote')]) });
    await waitFor(() => expect(useStore.getState().openFailure).not.toBeNull());
    expect(useStore.getState().load).toMatchObject({ phase: 'ready', label: 'compaction-remote' });
    const banner = screen.getByTestId('load-banner');
    expect(banner.dataset.kind).toBe('open-failed');
    expect(banner.textContent).toMatch(/compaction-remote could not be read from the drop/);
    expect(banner.textContent).toMatch(/could not be found/);
  });

  it('a folder walked on this thread shows its load from the drop on, and Cancel during the walk stops it', async () => {
    const sent = useInProcessWorker();
    render(<Loader />);
    // A folder whose walk waits (thousands of files take seconds to walk here).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = entryFor(path.join(TRACES, 'multi-agent'), '/multi-agent') as FileSystemDirectoryEntry;
    const reader = slow.createReader.bind(slow);
    slow.createReader = () => {
      const r = reader();
      return { readEntries: (ok: FileSystemEntriesCallback, err?: ErrorCallback) => void gate.then(() => r.readEntries(ok, err)) } as FileSystemDirectoryReader;
    };
    fireEvent.drop(window, { dataTransfer: dropEventData([slow], [() => new Promise(() => {})]) });
    await waitFor(() => expect(useStore.getState().load).toMatchObject({ phase: 'loading', label: 'multi-agent' }), { timeout: 3000 });
    const progress = screen.getByTestId('load-progress');
    expect(progress.textContent).toContain('multi-agent');
    fireEvent.click(within(progress).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(useStore.getState().load.phase).not.toBe('loading'));
    // The walk ends after the cancel: nothing is loaded.
    release();
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.filter((m) => m.type === 'load')).toEqual([]);
    expect(useStore.getState().load.phase).not.toBe('loading');
  });

  it('a long walk says how many files it has read so far, then the trace opens', async () => {
    useInProcessWorker();
    render(<Loader />);
    // The payloads folder waits: what the walk has got by then (the files beside it) is what it says.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const dir = path.join(TRACES, 'multi-agent');
    const top = entryFor(dir, '/multi-agent') as FileSystemDirectoryEntry;
    const topReader = top.createReader.bind(top);
    top.createReader = () => {
      const r = topReader();
      return {
        readEntries: (ok: FileSystemEntriesCallback, err?: ErrorCallback) =>
          r.readEntries((batch) => {
            for (const e of batch) {
              if (e.name !== 'payloads') continue;
              const sub = e as FileSystemDirectoryEntry;
              const subReader = sub.createReader.bind(sub);
              sub.createReader = () => {
                const rr = subReader();
                return {
                  readEntries: (ok2: FileSystemEntriesCallback, err2?: ErrorCallback) => void gate.then(() => rr.readEntries(ok2, err2)),
                } as FileSystemDirectoryReader;
              };
            }
            ok(batch);
          }, err),
      } as FileSystemDirectoryReader;
    };
    fireEvent.drop(window, { dataTransfer: dropEventData([top], [() => new Promise(() => {})]) });
    const beside = readdirSync(dir).filter((n) => n !== 'payloads');
    await waitFor(() => expect(screen.getByTestId('load-progress-figures').textContent).toMatch(/^reading files… \d+ so far \(/), { timeout: 3000 });
    await waitFor(() => expect(screen.getByTestId('load-progress-figures').textContent).toContain(`${beside.length} so far`), { timeout: 3000 });
    release();
    await waitFor(() => expect(useStore.getState().load.phase).toBe('ready'), { timeout: 10_000 });
  });

  it('drag-over shows the overlay; dropping a folder of several bundles asks which, grouped by rollout, reading a bundle only when it is opened', async () => {
    useInProcessWorker();
    render(<Loader />);
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
    const root = path.join(TRACES, 'multi-turn-resume');
    const reads: string[] = [];
    const data = dropEventData([entryFor(root, '/multi-turn-resume', reads)]);
    fireEvent.dragEnter(window, { dataTransfer: data });
    expect(screen.getByTestId('drop-overlay')).toBeTruthy();
    fireEvent.dragLeave(window, { dataTransfer: data });
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
    fireEvent.dragEnter(window, { dataTransfer: data });
    fireEvent.drop(window, { dataTransfer: data });
    expect(screen.queryByTestId('drop-overlay')).toBeNull();

    const picker = await screen.findByTestId('bundle-picker');
    expect(screen.queryByTestId('load-progress')).toBeNull();
    const groups = within(picker).getAllByTestId('bundle-group');
    expect(groups).toHaveLength(1);
    const rollout = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')).rollout_id;
    expect(groups[0].textContent).toContain(rollout);
    expect(groups[0].textContent).toContain('3 bundles (resumed session)');
    const rows = within(picker).getAllByTestId('bundle-option');
    expect(rows.map((r) => r.dataset.key)).toEqual(['multi-turn-resume', 'multi-turn-resume/bundle-2', 'multi-turn-resume/bundle-3']);
    // Listed from the manifests: once two bundles were met, the walk read nothing else and entered no payloads/ (a root of thousands lists in seconds).
    const manifests = ['multi-turn-resume/manifest.json', 'multi-turn-resume/bundle-2/manifest.json', 'multi-turn-resume/bundle-3/manifest.json'];
    expect(reads).toEqual(expect.arrayContaining(manifests));
    const bundle2Payloads = listFiles(path.join(root, 'bundle-2'), path.join(root, 'bundle-2')).filter((p) => p.startsWith('payloads/'));
    expect(bundle2Payloads.length).toBeGreaterThan(0);
    expect(reads.filter((p) => p.startsWith('multi-turn-resume/bundle-2/payloads/'))).toEqual([]);
    expect(reads).not.toContain('list:multi-turn-resume/bundle-2/payloads');

    fireEvent.click(within(rows[1]).getByRole('button', { name: /Open/ }));
    expect(screen.queryByTestId('bundle-picker')).toBeNull();
    await waitFor(() => expect(useStore.getState().load.phase).toBe('ready'));
    expect(useStore.getState().load.label).toBe('multi-turn-resume/bundle-2');
    expect(JSON.stringify(useStore.getState().state, null, 2)).toBe(readFileSync(path.join(root, 'bundle-2/state.json'), 'utf8'));
    // Opening bundle-2 read its files, and no other bundle's.
    expect(reads).toEqual(expect.arrayContaining(bundle2Payloads.map((p) => `multi-turn-resume/bundle-2/${p}`)));
    expect(reads.filter((p) => p.startsWith('multi-turn-resume/bundle-3/') && !p.endsWith('manifest.json'))).toEqual([]);
    expect(reads).toContain('list:multi-turn-resume/bundle-2/payloads');
    expect(reads).not.toContain('list:multi-turn-resume/bundle-3/payloads');
  });

  it('after opening one bundle of a dropped folder, the list is one click away, without dropping again', async () => {
    useInProcessWorker();
    render(<Loader />);
    await act(() => traceClient.loadFiles(pickedFolder('multi-turn-resume')));
    expect(screen.queryByTestId('show-bundles')).toBeNull(); // the list is on screen
    fireEvent.click(within(screen.getByTestId('bundle-picker')).getAllByTestId('bundle-option')[1]); // the whole row opens it
    await waitFor(() => expect(useStore.getState().load).toMatchObject({ phase: 'ready', label: 'multi-turn-resume/bundle-2' }));
    expect(screen.queryByTestId('bundle-picker')).toBeNull();
    fireEvent.click(screen.getByTestId('show-bundles'));
    const picker = screen.getByTestId('bundle-picker');
    const rows = within(picker).getAllByTestId('bundle-option');
    expect(rows[1].getAttribute('aria-current')).toBe('true');
    expect(rows[1].textContent).toContain('open now');
    // The trace stays open behind the list: Close (not Cancel) hides it again.
    fireEvent.click(within(picker).getByRole('button', { name: 'Close' }));
    expect(screen.queryByTestId('bundle-picker')).toBeNull();
    expect(useStore.getState().load.label).toBe('multi-turn-resume/bundle-2');
    fireEvent.click(screen.getByTestId('show-bundles'));
    fireEvent.click(within(screen.getByTestId('bundle-picker')).getByRole('button', { name: 'Open multi-turn-resume/bundle-3' }));
    await waitFor(() => expect(useStore.getState().load).toMatchObject({ phase: 'ready', label: 'multi-turn-resume/bundle-3' }));
    const root = path.join(TRACES, 'multi-turn-resume');
    expect(JSON.stringify(useStore.getState().state, null, 2)).toBe(readFileSync(path.join(root, 'bundle-3/state.json'), 'utf8'));
  });

  it('served with several bundles, the root URL lists them to choose from instead of opening the first', async () => {
    const manifest = (n: string) => JSON.parse(readFileSync(path.join(TRACES, n, 'manifest.json'), 'utf8'));
    const index = ['long-session', 'multi-agent', 'compaction-remote'].map((n) => ({ name: `traces/${n}`, manifest: manifest(n) }));
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(index), { headers: { 'content-type': 'application/json' } }));
    const loadUrl = vi.spyOn(traceClient, 'loadUrl').mockResolvedValue('ready');
    try {
      render(<Loader />);
      const client = { loadUrl: traceClient.loadUrl.bind(traceClient), loadCached: async () => 'failed' as const, listRecent: async () => [] };
      expect(await act(() => loadStartupBundle(client, '', 'http://127.0.0.1:4180/', ''))).toBe('picking');
      expect(loadUrl).not.toHaveBeenCalled();
      const picker = screen.getByTestId('bundle-picker');
      const rows = within(picker).getAllByTestId('bundle-option');
      expect(rows.map((r) => r.dataset.key).sort()).toEqual(index.map((b) => b.name).sort());
      expect(rows[0].textContent).toMatch(/schema 2/);
      fireEvent.click(within(picker).getByRole('button', { name: 'Open traces/multi-agent' }));
      expect(loadUrl).toHaveBeenCalledWith('traces/multi-agent');
      expect(screen.queryByTestId('bundle-picker')).toBeNull();
      // One served bundle still opens at once.
      loadUrl.mockClear();
      vi.stubGlobal('fetch', async () => new Response(JSON.stringify(index.slice(0, 1)), { headers: { 'content-type': 'application/json' } }));
      expect(await loadStartupBundle(client, '', 'http://127.0.0.1:4180/', '')).toBe('ready');
      expect(loadUrl).toHaveBeenCalledWith('traces/long-session');
      // …unless the link asks for the session list.
      loadUrl.mockClear();
      expect(await act(() => loadStartupBundle(client, '?sessions', 'http://127.0.0.1:4180/', '#list=%7B%22v%22%3A1%7D'))).toBe('picking');
      expect(loadUrl).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllGlobals();
      loadUrl.mockRestore();
    }
  });

  it('Cancel on the picker dismisses it', async () => {
    useInProcessWorker();
    render(<Loader />);
    await act(() => traceClient.loadFiles([...pickedFolder('single-turn-answer'), ...pickedFolder('image-input')]));
    const picker = screen.getByTestId('bundle-picker');
    expect(within(picker).getAllByTestId('bundle-group')).toHaveLength(2);
    fireEvent.click(within(picker).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('bundle-picker')).toBeNull();
    expect(useStore.getState().load.phase).toBe('cancelled');
  });

  it('an unreadable archive is named in the banner', async () => {
    useInProcessWorker();
    render(<Loader />);
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['nope'], 'trace.zip')] } });
    await waitFor(() => expect(useStore.getState().load.phase).toBe('failed'));
    expect(screen.getByTestId('load-banner').textContent).toContain('Could not unpack trace.zip');
  });
});
