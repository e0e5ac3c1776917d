// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { showBootProgress } from '../src/loader/bootProgress';
import { LoadProgress } from '../src/loader';
import { resetStore, useStore } from '../src/store';
import { EARLY_LOAD_ID } from '../src/worker/protocol';

/** A stand-in for the early worker: messages are dispatched to the listeners the page added. */
class FakeWorker extends EventTarget {
  say(data: unknown) {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  listeners = 0;
  override addEventListener(...a: Parameters<EventTarget['addEventListener']>) {
    this.listeners++;
    super.addEventListener(...a);
  }
  override removeEventListener(...a: Parameters<EventTarget['removeEventListener']>) {
    this.listeners--;
    super.removeEventListener(...a);
  }
}

const progress = (id: number, p: object) => ({ type: 'progress', id, bytesDone: 0, bytesTotal: 0, eventsDone: 0, ...p });

function boot(label = 'long-session') {
  const root = document.createElement('div');
  document.body.append(root);
  const worker = new FakeWorker();
  showBootProgress(root, label, worker, EARLY_LOAD_ID);
  return { root, worker };
}

afterEach(() => {
  cleanup();
  document.body.replaceChildren();
  resetStore();
});

describe('the progress a ?trace= link shows before the app has started', () => {
  it('names the bundle at once, then follows the worker’s progress of the early load', () => {
    const { worker } = boot();
    const box = screen.getByTestId('boot-progress');
    expect(box.textContent).toContain('Loading long-session');
    expect(screen.getByTestId('boot-progress-figures').textContent).toBe('reading files…');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBeNull();

    worker.say(progress(EARLY_LOAD_ID, { phase: 'receiving', bytesDone: 1 << 20, bytesTotal: 4 << 20 }));
    expect(box.textContent).toContain('Receiving the reduced state of long-session');
    expect(screen.getByTestId('boot-progress-figures').textContent).toBe('1.0 MiB of 4.0 MiB');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect((screen.getByRole('progressbar').firstElementChild as HTMLElement).style.width).toBe('25%');
  });

  it('reads only progress of its own load, and only well-formed figures', () => {
    const { worker } = boot();
    worker.say(progress(7, { bytesDone: 5, bytesTotal: 10 }));
    worker.say({ type: 'result', id: EARLY_LOAD_ID });
    worker.say('not an object');
    expect(screen.getByTestId('boot-progress-figures').textContent).toBe('reading files…');
    worker.say(progress(EARLY_LOAD_ID, { bytesDone: 'lots', bytesTotal: -1, eventsDone: 1234.0 }));
    expect(screen.getByTestId('boot-progress-figures').textContent).toBe('0 B · 1,234 events');
  });

  it('shows a link’s bundle name as text, never as markup', () => {
    boot('<img src=x onerror="alert(1)">');
    expect(screen.getByTestId('boot-progress').textContent).toContain('<img src=x onerror="alert(1)">');
    expect(document.querySelector('img')).toBeNull();
  });

  it('says what the app’s own progress bar then says, and lets go once the app has rendered', () => {
    const { root, worker } = boot();
    const p = { phase: 'reducing' as const, bytesDone: 3 << 20, bytesTotal: 12 << 20, eventsDone: 4321 };
    worker.say(progress(EARLY_LOAD_ID, p));
    const before = screen.getByTestId('boot-progress').textContent;

    // React's first render empties the root; the app shows the same load from the store.
    root.replaceChildren();
    useStore.getState().beginLoad({ label: 'long-session' });
    useStore.getState().setLoadProgress(p);
    render(<LoadProgress />);
    expect(screen.getByTestId('load-progress').textContent).toContain(before!);

    worker.say(progress(EARLY_LOAD_ID, { ...p, bytesDone: 6 << 20 }));
    expect(worker.listeners).toBe(0);
  });
});
