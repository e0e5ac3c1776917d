// @vitest-environment happy-dom
/**
 * Issue 14, item 1: a link's view state names ids that are keys of
 * Object.prototype (`__proto__`, `constructor`, `toString`). They must be
 * looked up as the trace's own ids (and ignored with a notice), and a panel
 * that throws anyway shows its error in place instead of unmounting the app.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ComponentType } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/app/App';
import { PANELS } from '../../src/app/panels';
import type { TraceServices } from '../../src/app/services';
import { resetStore, useStore } from '../../src/store';
import { writeViewStateToHash, DEFAULT_VIEW_STATE, type ViewState } from '../../src/store/viewState';
import { OBJECT_KINDS } from '../../src/trace/indexes/refs';
import { fixturePayloadReader, loadManifest, loadState } from './helpers';

const NAME = 'multi-agent';
const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

function services(): TraceServices {
  return { readPayload: fixturePayloadReader(NAME), search: async () => [] };
}

async function load() {
  act(() => {
    useStore.getState().finishLoad({ label: NAME, manifest: loadManifest(NAME), state: loadState(NAME), error: null, diagnostics: [], bundleKey: NAME });
  });
  await waitFor(() => expect(document.querySelector('.stage-pending')).toBeNull());
}

const view = (patch: Partial<ViewState>): ViewState => ({ ...DEFAULT_VIEW_STATE, ...patch });

/** Everything a loaded workspace shows: the thread list, the centre tabs, the inspector. */
function expectWorkspace() {
  expect(screen.getByRole('region', { name: 'Main panels' })).toBeTruthy();
  expect(screen.getByRole('complementary', { name: 'Inspector' })).toBeTruthy();
  expect(screen.getByTestId('trace-identity')).toBeTruthy();
  expect(screen.queryByTestId('panel-error')).toBeNull();
}

beforeEach(() => {
  resetStore();
  window.history.replaceState(null, '', '/');
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('view states naming Object.prototype keys', () => {
  it('store: a thread or selection id like __proto__ is not found, is ignored, and is reported', () => {
    act(() => {
      useStore.getState().finishLoad({ label: NAME, manifest: loadManifest(NAME), state: loadState(NAME), error: null, diagnostics: [], bundleKey: NAME });
    });
    const root = useStore.getState().activeThreadId;
    for (const id of HOSTILE) {
      useStore
        .getState()
        .applyViewState(view({ thread: id, selection: { kind: 'conversation_item', id }, filters: { kinds: [], statuses: [], threadIds: [id], text: '' } }));
      const s = useStore.getState();
      expect(s.activeThreadId).toBe(root);
      expect(s.selection).toBeNull();
      expect(s.filters.threadIds).toEqual([]);
      expect(s.viewNotice?.ignored.join(' ')).toContain(`thread “${id}”`);
      useStore.getState().setActiveThread(id);
      expect(useStore.getState().activeThreadId).toBe(root);
      useStore.getState().select({ kind: 'thread', id });
      expect(useStore.getState().activeThreadId).toBe(root);
    }
  });

  for (const id of ['__proto__', 'constructor', 'toString']) {
    it(`app: thread and selections "${id}" in every panel leave the app rendering, with a notice`, async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      render(<App services={services()} />);
      await load();
      for (const panel of PANELS.filter((p) => p.region === 'center')) {
        for (const kind of [null, ...OBJECT_KINDS]) {
          act(() => {
            useStore.getState().applyViewState(view({ thread: id, selection: kind ? { kind, id } : null, panels: { center: panel.id } }));
          });
          expectWorkspace();
          expect(screen.getByTestId('view-notice').textContent).toContain(`thread “${id}”`);
        }
        // The same through the URL: a hash edit (hashchange), as a link would do.
        act(() => {
          window.location.hash = writeViewStateToHash('', view({ thread: id, selection: { kind: 'thread', id }, panels: { center: panel.id } })).slice(1);
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        });
        expectWorkspace();
      }
      // Selecting such an id directly (e.g. a RefLink built from trace text) does not break the panels either.
      for (const kind of OBJECT_KINDS) {
        act(() => useStore.getState().select({ kind, id }));
        expectWorkspace();
      }
      expect(errors.mock.calls.filter((c) => String(c[0]).includes('panel'))).toEqual([]);
      fireEvent.click(within(screen.getByTestId('view-notice')).getByRole('button', { name: 'Dismiss' }));
      expect(screen.queryByTestId('view-notice')).toBeNull();
    });
  }

  it('app: a link opened at start-up with thread "__proto__" shows the trace', async () => {
    window.history.replaceState(null, '', `/${writeViewStateToHash('', view({ thread: '__proto__', selection: { kind: 'thread', id: 'constructor' } }))}`);
    render(<App services={services()} />);
    await load();
    expectWorkspace();
    expect(screen.getByTestId('view-notice').textContent).toContain('thread “__proto__”');
    expect(screen.getByTestId('view-notice').textContent).toContain('selection thread “constructor”');
  });

  it('app: a link naming a 500-character thread gets a notice of bounded length', async () => {
    window.history.replaceState(null, '', `/${writeViewStateToHash('', view({ thread: 'x'.repeat(500) }))}`);
    render(<App services={services()} />);
    await load();
    expectWorkspace();
    const text = screen.getByTestId('view-notice').textContent ?? '';
    expect(text).toContain('xxxx…');
    expect(text.length).toBeLessThan(400);
  });

  it('app: a link naming a 100,000-character thread opens the trace as if it named none (past any id a trace holds)', async () => {
    const raw = JSON.stringify({ v: 2, thread: 'x'.repeat(100_000) });
    window.history.replaceState(null, '', `/#view=${encodeURIComponent(raw)}`);
    render(<App services={services()} />);
    await load();
    expectWorkspace();
    expect(screen.queryByTestId('view-notice')).toBeNull();
  });
});

describe('a panel that throws', () => {
  it('shows its error in place, names the panel, keeps the other panels, and can be retried', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const def = PANELS.find((p) => p.id === 'conversation')! as { component: ComponentType };
    const real = def.component;
    let broken = true;
    def.component = function Flaky() {
      if (broken) throw new Error('cannot read properties of undefined (reading filter)');
      return <div data-testid="flaky-ok">recovered</div>;
    };
    try {
      render(<App services={services()} />);
      await load();
      const err = await screen.findByTestId('panel-error');
      expect(err.getAttribute('data-panel')).toBe('Conversation');
      expect(within(err).getByText('The Conversation panel failed')).toBeTruthy();
      expect(within(err).getByTestId('panel-error-message').textContent).toBe('cannot read properties of undefined (reading filter)');
      expect(within(screen.getByRole('region', { name: 'Main panels' })).getByTestId('panel-error')).toBe(err);
      expect(screen.getAllByTestId('panel-error')).toHaveLength(1);
      // The rest of the app is still there and still works: the thread list, the inspector, the other tabs.
      expect(screen.getByRole('complementary', { name: 'Inspector' })).toBeTruthy();
      expect(screen.getByTestId('trace-identity')).toBeTruthy();
      expect(document.querySelector('.ws-left')!.textContent).toContain('/root');
      fireEvent.click(screen.getByRole('tab', { name: 'Compactions' }));
      expect(screen.queryAllByTestId('panel-error')).toEqual([]);
      fireEvent.click(screen.getByRole('tab', { name: 'Conversation' }));
      expect(await screen.findByTestId('panel-error')).toBeTruthy();
      // Once the cause is gone, Retry renders the panel.
      broken = false;
      fireEvent.click(within(screen.getByTestId('panel-error')).getByRole('button', { name: 'Retry' }));
      expect(screen.queryByTestId('panel-error')).toBeNull();
      expect(screen.getByTestId('flaky-ok')).toBeTruthy();
    } finally {
      def.component = real;
    }
  });

  it('"Reset selection and retry" clears the selection that made the panel fail', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    render(<App services={services()} />);
    await load();
    const state = useStore.getState().state!;
    const itemId = Object.keys(state.conversation_items)[0];
    const item = state.conversation_items[itemId];
    // An item that throws when the inspector reads it.
    const broken = new Proxy(item, {
      get: (t, k) =>
        k === 'kind' || k === 'role'
          ? (() => {
              throw new Error('unreadable item');
            })()
          : Reflect.get(t, k),
    });
    act(() => {
      useStore.setState({ state: { ...state, conversation_items: { ...state.conversation_items, [itemId]: broken } } });
      useStore.getState().select({ kind: 'conversation_item', id: itemId });
    });
    const errs = await screen.findAllByTestId('panel-error');
    const inspectorErr = errs.find((e) => e.getAttribute('data-panel') === 'Inspector');
    expect(inspectorErr, errs.map((e) => e.getAttribute('data-panel')).join()).toBeTruthy();
    expect(within(inspectorErr!).getByTestId('panel-error-message').textContent).toContain('unreadable item');
    expect(screen.getByTestId('trace-identity')).toBeTruthy();
    act(() => {
      useStore.setState({ state });
    });
    fireEvent.click(within(inspectorErr!).getByRole('button', { name: 'Reset selection and retry' }));
    expect(useStore.getState().selection).toBeNull();
    await waitFor(() => expect(screen.queryAllByTestId('panel-error').filter((e) => e.getAttribute('data-panel') === 'Inspector')).toEqual([]));
  });
});
