// @vitest-environment happy-dom
/**
 * A loaded trace mounts region by region (src/app/staging.tsx), with the work
 * some regions need done in stages before them. That work failing on an
 * inconsistent state (a partial state from a failed load) must not stop the
 * regions after it: each panel then shows its own error, as it did when it
 * did that work itself, and the inspector still mounts.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Stage, STAGE, StagedMount } from '../src/app/staging';
import { resetStore, useStore } from '../src/store';
import type { RolloutTrace } from '../src/trace/schema/state';
import { loadManifest, loadState } from './panels/helpers';

function load(state: RolloutTrace) {
  act(() => {
    useStore.getState().finishLoad({ label: 'long-session', manifest: loadManifest('long-session'), state, error: null, diagnostics: [], bundleKey: 'x' });
  });
}

function renderStages() {
  render(
    <StagedMount>
      <Stage at={STAGE.bottom}>
        <span data-testid="bottom">bottom</span>
      </Stage>
      <Stage at={STAGE.inspector}>
        <span data-testid="inspector">inspector</span>
      </Stage>
    </StagedMount>,
  );
}

describe('staged mounting', () => {
  beforeEach(() => resetStore());
  afterEach(cleanup);

  it('mounts every region of a trace, the last one included', async () => {
    load(loadState('long-session'));
    renderStages();
    expect(await screen.findByTestId('inspector')).toBeTruthy();
    expect(screen.getByTestId('bottom')).toBeTruthy();
  });

  it('mounts the regions after a stage whose work fails on an inconsistent state', async () => {
    const state = loadState('long-session');
    // A turn without its execution window: the indexes and the timeline's model both fail on it.
    delete (Object.values(state.codex_turns)[0] as { execution?: unknown }).execution;
    load(state);
    expect(useStore.getState().indexes).toBeNull();
    renderStages();
    expect(await screen.findByTestId('inspector')).toBeTruthy();
    expect(screen.getByTestId('bottom')).toBeTruthy();
  });
});
