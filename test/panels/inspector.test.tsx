// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Inspector, PayloadReaderProvider, type PayloadReader } from '../../src/panels/inspector';
import { resetStore, useStore, type Selection } from '../../src/store';
import { formatDuration, formatRelative } from '../../src/ui/format';
import { fixturePayloadReader, loadManifest, loadRawState, loadState } from './helpers';

function load(name: string) {
  act(() => {
    useStore.getState().finishLoad({ label: name, manifest: loadManifest(name), state: loadState(name), error: null, diagnostics: [], bundleKey: name });
  });
}
function select(sel: Selection) {
  act(() => useStore.getState().select(sel));
}
function renderInspector(reader: PayloadReader) {
  return render(
    <PayloadReaderProvider reader={reader}>
      <Inspector />
    </PayloadReaderProvider>,
  );
}

beforeEach(() => resetStore());
afterEach(() => cleanup());

describe('Inspector on multi-agent', () => {
  beforeEach(() => load('multi-agent'));

  it('shows a tool call: its ids, tool, status, times relative to the trace start', () => {
    const raw = loadRawState('multi-agent');
    const tc = raw.tool_calls.call_0002;
    select({ kind: 'tool_call', id: 'call_0002' });
    renderInspector(fixturePayloadReader('multi-agent'));
    const fields = screen.getByTestId('inspector-fields');
    expect(within(fields).getAllByText('call_0002').length).toBeGreaterThan(0);
    expect(within(fields).getByText('spawn_agent')).toBeTruthy();
    expect(within(fields).getByText('collaboration.spawn_agent')).toBeTruthy();
    expect(within(fields).getByText('completed')).toBeTruthy();
    expect(within(fields).getByText(formatRelative(tc.execution.started_at_unix_ms, raw.started_at_unix_ms))).toBeTruthy();
    expect(within(fields).getByText(`${tc.execution.ended_at_unix_ms - tc.execution.started_at_unix_ms} ms`)).toBeTruthy();
    expect(within(fields).getByText(`${tc.execution.started_seq} → ${tc.execution.ended_seq}`)).toBeTruthy();
  });

  it('lists related objects, and clicking one selects it', () => {
    select({ kind: 'tool_call', id: 'call_0002' });
    renderInspector(fixturePayloadReader('multi-agent'));
    const callItems = screen.getByTestId('links-call_items');
    const link = within(callItems).getByRole('button', { name: '#8 function call' });
    fireEvent.click(link);
    expect(useStore.getState().selection).toEqual({ kind: 'conversation_item', id: 'conversation_item:8' });
    // the inspector now shows the item, which links back to its tool call
    expect(screen.getByRole('heading', { name: '#8 function call' })).toBeTruthy();
    const back = within(screen.getByTestId('links-tool_call_of')).getByRole('button', { name: /call_0002/ });
    fireEvent.click(back);
    expect(useStore.getState().selection).toEqual({ kind: 'tool_call', id: 'call_0002' });
  });

  it('reads payloads only when opened, and shows them as a JSON tree', async () => {
    const reader = fixturePayloadReader('multi-agent');
    select({ kind: 'tool_call', id: 'call_0002' });
    renderInspector(reader);
    const payloads = screen.getByTestId('inspector-payloads');
    // invocation, result and runtime payloads of the tool call are listed
    expect(within(payloads).getByText('Invocation')).toBeTruthy();
    expect(within(payloads).getByText('Result')).toBeTruthy();
    expect(within(payloads).getByText('Runtime')).toBeTruthy();
    expect(reader.calls).toEqual([]);
    fireEvent.click(within(payloads).getByText('Invocation'));
    expect(await screen.findByText('"spawn_agent"')).toBeTruthy();
    expect(reader.calls).toEqual(['payloads/6.json']);
    expect(screen.getByText('tool_namespace:')).toBeTruthy();
    // nested object collapsed/expanded by its toggle
    expect(screen.getByText('"function"')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /payload:/ }));
    expect(screen.queryByText('"function"')).toBeNull();
  });

  it('shows a read error with a retry', async () => {
    let fail = true;
    const reader: PayloadReader = async (path) => {
      if (fail) throw new Error('worker is gone');
      return { ok: path };
    };
    select({ kind: 'tool_call', id: 'call_0002' });
    renderInspector(reader);
    fireEvent.click(screen.getByText('Result'));
    expect((await screen.findByRole('alert')).textContent).toContain('worker is gone');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('"raw_payload:10"')).toBeTruthy();
  });
});

describe('Inspector renders untrusted payload text literally', () => {
  it('an HTML/script string in a payload is shown as text, never as markup', async () => {
    load('single-turn-answer');
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script><b>bold</b>';
    const reader: PayloadReader = async () => ({ output_text: evil, nested: { [evil]: evil } });
    const state = useStore.getState().state!;
    const callId = Object.keys(state.inference_calls)[0];
    select({ kind: 'inference_call', id: callId });
    const { container } = renderInspector(reader);
    fireEvent.click(screen.getByText('Request'));
    // the top-level value and the nested one (depth 1 is open by default)
    expect((await screen.findAllByText(`"${evil}"`)).length).toBe(2);
    expect(screen.getByText(`${evil}:`)).toBeTruthy(); // the key, too
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});

describe('Inspector on conversation items (compaction-remote)', () => {
  beforeEach(() => load('compaction-remote'));

  it('shows role, kind, acceptance and the compaction that replaced the item', () => {
    select({ kind: 'conversation_item', id: 'conversation_item:1' });
    renderInspector(fixturePayloadReader('compaction-remote'));
    const fields = screen.getByTestId('inspector-fields');
    expect(within(fields).getByText('developer')).toBeTruthy();
    expect(within(fields).getByText('not accepted')).toBeTruthy();
    cleanup();
    select({ kind: 'conversation_item', id: 'conversation_item:11' });
    renderInspector(fixturePayloadReader('compaction-remote'));
    expect(within(screen.getByTestId('links-installed_by')).getByRole('button', { name: 'Compaction 1' })).toBeTruthy();
    fireEvent.click(within(screen.getByTestId('links-replaced_by')).getByRole('button', { name: 'Compaction 2' }));
    expect(useStore.getState().selection).toEqual({ kind: 'compaction', id: '01a211df-b6ec-76a0-b6a1-d40a255b82c1' });
  });

  it('clips long text and expands it on demand', () => {
    const raw = loadRawState('compaction-remote');
    const full: string = raw.conversation_items['conversation_item:1'].body.parts[0].text;
    expect(full.length).toBeGreaterThan(10_000);
    select({ kind: 'conversation_item', id: 'conversation_item:1' });
    const { container } = renderInspector(fixturePayloadReader('compaction-remote'));
    expect(container.textContent).not.toContain(full);
    fireEvent.click(screen.getByRole('button', { name: /Show all \(21,459 chars/ }));
    expect(container.textContent).toContain(full);
  });

  it('shows the encrypted summary size instead of the ciphertext', () => {
    const raw = loadRawState('compaction-remote');
    const enc = raw.conversation_items['conversation_item:14'].body.parts[0];
    select({ kind: 'conversation_item', id: 'conversation_item:14' });
    const { container } = renderInspector(fixturePayloadReader('compaction-remote'));
    // the value is base64: the size shown is the decoded size
    expect(screen.getByText(`[encrypted ${Buffer.from(enc.value, 'base64').length.toLocaleString('en-US')} bytes]`)).toBeTruthy();
    expect(container.textContent).not.toContain(enc.value);
  });

  it('links a compaction to its inferred checkpoint payload and its marker', async () => {
    const reader = fixturePayloadReader('compaction-remote');
    select({ kind: 'compaction', id: '01a211df-b672-7542-80d5-fdadbe3c53d0' });
    renderInspector(reader);
    expect(within(screen.getByTestId('links-marker')).getByRole('button', { name: '#10 compaction marker' })).toBeTruthy();
    const p = screen.getByTestId('payload-raw_payload:18');
    expect(within(p).getByText('inferred')).toBeTruthy();
    fireEvent.click(within(p).getByText('Checkpoint'));
    expect(await within(p).findByText(/replacement_history/)).toBeTruthy();
    expect(reader.calls).toEqual(['payloads/18.json']);
  });

  it('says so when the selection is not in the trace', () => {
    select({ kind: 'tool_call', id: 'no-such-call' });
    renderInspector(fixturePayloadReader('compaction-remote'));
    expect(screen.getByText(/is not in the loaded trace/)).toBeTruthy();
  });
});

describe('Inspector on a schema-3 trace (zstd shards, composite payloads)', () => {
  const name = '../traces-schema3/single-turn-answer';
  beforeEach(() => load(name));

  it('lists the prepared prompt between request and response, and reads it from its shard, parts spliced in', async () => {
    const raw = loadRawState(name);
    const [callId, call] = Object.entries(raw.inference_calls as Record<string, { prepared_prompt_payload_id: string }>)[0];
    const reader = fixturePayloadReader(name);
    select({ kind: 'inference_call', id: callId });
    renderInspector(reader);
    const payloads = screen.getByTestId('inspector-payloads');
    const roles = within(payloads)
      .getAllByText(/^(Request|Prepared prompt|Response)$/)
      .map((e) => e.textContent);
    expect(roles).toEqual(['Request', 'Prepared prompt', 'Response']);
    fireEvent.click(within(payloads).getByText('Prepared prompt'));
    // The prepared prompt's input items live in other records (its parts): they are spliced in.
    expect(await within(payloads).findByText('input:')).toBeTruthy();
    expect(reader.calls).toEqual([`payloads/000001.zst#${call.prepared_prompt_payload_id}`]);
  });

  it('a composite payload links each of its parts', () => {
    const raw = loadRawState(name);
    const composite = Object.values(raw.raw_payloads as Record<string, { raw_payload_id: string; parts?: { raw_payload_id: string }[] }>).find((p) => p.parts)!;
    select({ kind: 'raw_payload', id: composite.raw_payload_id });
    renderInspector(fixturePayloadReader(name));
    const fields = screen.getByTestId('inspector-fields');
    expect(within(fields).getByText('payloads/000001.zst#' + composite.raw_payload_id)).toBeTruthy();
    const first = composite.parts![0].raw_payload_id;
    fireEvent.click(within(fields).getByRole('button', { name: `model item (${first.replace('raw_payload:', '#')})` }));
    expect(useStore.getState().selection).toEqual({ kind: 'raw_payload', id: first });
  });
});

describe('Inspector on an interrupted schema-3 turn', () => {
  it('shows the interrupted tool call as aborted, with its end (schema 2 left it running)', () => {
    const name = '../traces-schema3/interrupt-turns';
    load(name);
    const raw = loadRawState(name);
    const tc = raw.tool_calls.call_0005;
    expect(tc.execution.status).toBe('aborted');
    select({ kind: 'tool_call', id: 'call_0005' });
    renderInspector(fixturePayloadReader(name));
    const fields = screen.getByTestId('inspector-fields');
    expect(within(fields).getByText('aborted')).toBeTruthy();
    expect(within(fields).getByText(formatDuration(tc.execution.ended_at_unix_ms - tc.execution.started_at_unix_ms))).toBeTruthy();
  });
});
