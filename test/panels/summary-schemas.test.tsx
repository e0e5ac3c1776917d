// @vitest-environment happy-dom
/**
 * The header's summary on bundles of every schema: which schema and releases,
 * and whether the recording was closed, read from the field each schema
 * writes (schema 1 none, schema 2 `recording_complete`, schema 3 `recording_status`).
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SummaryBar } from '../../src/app/SummaryBar';
import { resetStore, useStore } from '../../src/store';
import { loadManifest, loadState } from './helpers';

function show(name: string) {
  act(() => {
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });
  });
  render(<SummaryBar />);
}

beforeEach(() => resetStore());
afterEach(() => cleanup());

describe('summary bar across schemas', () => {
  it('schema 1: says so, and claims nothing about completion (it is not recorded)', () => {
    show('../traces-schema1/single-turn-answer');
    expect(screen.getByTestId('summary-schema').textContent).toBe('schema 1 · Codex 0.125.0 – 0.164.0');
    expect(screen.queryByTestId('summary-recording')).toBeNull();
  });

  it('schema 2: recording_complete', () => {
    show('single-turn-answer');
    expect(screen.getByTestId('summary-schema').textContent).toBe('schema 2 · Codex 0.165.0 – 0.169.1');
    expect(screen.getByTestId('summary-recording').textContent).toBe('recording complete');
  });

  it('schema 3: recording_status complete, and unclosed when recording_completed is missing', () => {
    show('../traces-schema3/single-turn-answer');
    expect(screen.getByTestId('summary-schema').textContent).toBe('schema 3 · Codex 0.171.0');
    expect(screen.getByTestId('summary-recording').textContent).toBe('recording complete');
    cleanup();
    resetStore();
    show('../synthetic-schema3/recording-unclosed');
    expect(screen.getByTestId('summary-recording').textContent).toBe('recording incomplete');
  });
});
