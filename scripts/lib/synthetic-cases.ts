/**
 * Hand-built schema-2 bundles that probe reducer rules the recorded corpus
 * does not exercise. Each case builds a tiny bundle; scripts/make-synthetic.ts
 * writes it under test/fixtures/synthetic/<name>/ and stores what the official
 * 0.169.0 binary made of it.
 *
 * `finding` is written by hand after looking at the oracle output; the
 * generator checks `expect` against the binary's verdict so a stale note shows up.
 */
import type { BundleFiles } from './bundle-files';
import { MISSING, Scenario, agentMsg, ctc, ctco, fc, fco, msg, raw, reasoning, type Item } from './trace-builder';

export interface SyntheticCase {
  name: string;
  /** What the case exercises (one or two sentences, with doc section refs). */
  title: string;
  expect: 'ok' | 'error';
  build(): BundleFiles;
  /** Parts of the official state worth showing in case.md. */
  excerpt?(state: any): unknown;
  /** What the oracle did, and what is surprising about it (one line, hand-written). */
  finding: string;
}

// ---------------------------------------------------------------------------
// shared pieces

const DEV = msg('developer', 'You are a test agent.', 'msg_dev');
const U1 = msg('user', 'hello', 'msg_u1');
const U2 = msg('user', 'and now?', 'msg_u2');
const U3 = msg('user', 'one more', 'msg_u3');
const A1 = msg('assistant', 'hi there', 'msg_a1');
const A2 = msg('assistant', 'second answer', 'msg_a2');
const A3 = msg('assistant', 'third answer', 'msg_a3');

/** begin + body + turn end + finish. */
function simple(body: (s: Scenario) => void, o: { turnStatus?: string; endTurn?: boolean } = {}): BundleFiles {
  const s = new Scenario();
  s.begin('turn-1');
  body(s);
  if (o.endTurn !== false) s.turnEnded('turn-1', o.turnStatus ?? 'completed');
  s.finish();
  return s.build();
}

/** First exchange of a conversation: [dev, u1] -> [a1]. */
function first(s: Scenario, output: Item[] = [A1], id = 'inf-1'): void {
  s.exchange({ turn: 'turn-1', id, input: [DEV, U1], output, acceptBefore: ['msg_dev', 'msg_u1'] });
}

const items = (st: any, ids?: string[]) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries<any>(st.conversation_items)) {
    if (ids && !ids.includes(k)) continue;
    out[k] = {
      rid: v.responses_item_id ?? null,
      accepted_seq: v.accepted_seq ?? null,
      kind: v.kind,
      role: v.role,
      parts: v.body.parts,
      produced_by: v.produced_by.map((p: any) => p.type + (p.inference_call_id ? ':' + p.inference_call_id : p.tool_call_id ? ':' + p.tool_call_id : '')),
    };
  }
  return out;
};
const windows = (st: any) =>
  Object.fromEntries(
    Object.entries<any>(st.inference_calls).map(([k, v]) => [
      k,
      {
        status: v.execution.status,
        ended_seq: v.execution.ended_seq,
        request: v.request_item_ids.join(' '),
        response: v.response_item_ids.join(' '),
        response_id: v.response_id,
        ...(v.upstream_request_id !== null ? { upstream: v.upstream_request_id } : {}),
      },
    ]),
  );
const threadLists = (st: any) => Object.fromEntries(Object.entries<any>(st.threads).map(([k, v]) => [k, v.conversation_item_ids.join(' ')]));
const pick = (obj: any, keys: string[]) => Object.fromEntries(keys.map((k) => [k, obj?.[k]]));

// ---------------------------------------------------------------------------
// A. conversation and request windows

const conversation: SyntheticCase[] = [
  {
    name: 'incremental-window-prefix',
    title: 'Incremental requests (previous_response_id) chained twice: the window is prior request + response + delta (§4.3.5).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [U2], previousResponseId: 'resp-inf-1', output: [A2], acceptBefore: ['msg_u2'] });
        s.exchange({ turn: 'turn-1', id: 'inf-3', input: [U3], previousResponseId: 'resp-inf-2', output: [A3], acceptBefore: ['msg_u3'] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st) }),
    finding: "As S1: each window = previous call's request + response + delta; chaining works on the previous incremental call's window.",
  },
  {
    name: 'incremental-unknown-previous-response',
    title: 'An incremental request whose previous_response_id matches no call (§4.3.5 step 1).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [U2], previousResponseId: 'resp-nope', output: [A2] });
      }),
    finding: 'S1 message unchanged: `incremental inference request inf-2 referenced unknown previous_response_id resp-nope`.',
  },
  {
    name: 'incremental-previous-response-other-thread',
    title: 'previous_response_id names a response of another thread: lookup is per thread (§4.3.5).',
    expect: 'error',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      first(s);
      s.threadStarted('thr-child', '/root/helper', s.childMeta('thr-root', '/root/helper'));
      s.turnStarted('turn-c1', 'thr-child');
      s.exchange({ thread: 'thr-child', turn: 'turn-c1', id: 'inf-c1', input: [U2], previousResponseId: 'resp-inf-1', output: [A2] });
      s.turnEnded('turn-c1', 'completed', 'thr-child');
      s.turnEnded('turn-1');
      s.finish({ threads: ['thr-child', 'thr-root'] });
      return s.build();
    },
    finding: 'Lookup is per thread: a response id of another thread counts as unknown (same message as an unknown id).',
  },
  {
    name: 'incremental-delta-mismatch',
    title:
      'AppendOnly check: an incremental request branching from an older response, whose delta differs from what the thread snapshot holds at that index (§4.3.4).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, A1, U2], output: [A2], acceptBefore: ['msg_u2'] });
        s.exchange({ turn: 'turn-1', id: 'inf-3', input: [U3], previousResponseId: 'resp-inf-1', output: [A3] });
      }),
    finding:
      'AppendOnly checks the delta against the thread snapshot (the latest window), not against the branch point: an incremental request that branches from an older response errors with `model conversation mismatch ... at item index 3`.',
  },
  {
    name: 'full-request-reorder-reuse',
    title:
      'A full request that reorders known items, repeats one identical item at a new position and inserts a new one (§4.3.4 FullSnapshot: reused at most once).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        const copy = msg('user', 'hello', 'msg_u1_again');
        const summary = msg('developer', 'summary of earlier work', 'msg_sum');
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [U1, summary, DEV, A1, copy], output: [A2], acceptBefore: ['msg_sum', 'msg_u1_again'] });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding:
      'Reordered items are reused; the identical user message re-sent under a new Responses id becomes a new item (would also be new in S1 since each old id is reused at most once).',
  },
  {
    name: 'full-request-positional-reuse-twice',
    title: 'FullSnapshot quirk: the positional check ignores ids already chosen, so [dev, a1, a1] against snapshot [dev, u1, a1] may reuse a1 twice (§4.3.4).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, A1, A1], output: [A2] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st) }),
    finding:
      "S1 quirk NOT kept: [dev, a1, a1] against snapshot [dev, u1, a1] gives window [1, 3, 4] — the second a1 is a new item (S1 would reuse item 3 twice). The positional check does respect 'already chosen'. The new item 4 carries responses_item_id msg_a1 and the acceptance of msg_a1.",
  },
  {
    name: 'rid-same-content-new-rid',
    title: 'S2 identity and the Responses item id: a full request re-sends the user message with identical content but a different `id` at the same position.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, msg('user', 'hello', 'msg_u1_other'), A1], output: [A2] });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding:
      'SURPRISE: the Responses item id is part of S2 identity. Same role/content at the same position but a different `id` -> new item (S1 would reuse).',
  },
  {
    name: 'rid-same-rid-changed-content',
    title: 'A full request re-sends an item with the same Responses `id` but changed text: new item or error? Which accepted fields does it get?',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, msg('user', 'hello (edited)', 'msg_u1'), A1], output: [A2] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'Same Responses id, changed text -> new item (no error), and the new item inherits accepted_at/accepted_seq of msg_u1: acceptance is stored per (thread, Responses id) and applies to every item with that id, whenever it is created.',
  },
  {
    name: 'rid-missing-then-present',
    title: 'Request items first sent without `id`, later with one (and the reverse for the assistant item): reuse, and what responses_item_id the item keeps.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({ turn: 'turn-1', id: 'inf-1', input: [msg('developer', 'You are a test agent.'), msg('user', 'hello')], output: [A1] });
        s.accept('msg_u1', 'turn-1');
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, msg('assistant', 'hi there'), U2], output: [A2], acceptBefore: ['msg_u2'] });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding:
      'An id-less stored item matches an incoming item with an id (missing id = wildcard) and its responses_item_id is filled in later; the acceptance that arrived while the item had no id (seq 7) is applied once it gets the id. An incoming item without id also reuses a stored item with id (msg_a1 kept).',
  },
  {
    name: 'rid-reasoning-differs',
    title:
      'A later request carries the same encrypted reasoning (same encrypted_content) under a different Responses id: does the encrypted identity still match?',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, [reasoning('rs_1', { summary: ['x'], enc: 'ENC-ONE' }), A1]);
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [DEV, U1, reasoning('rs_other', { enc: 'ENC-ONE' }), A1, U2],
          output: [A2],
          acceptBefore: ['msg_u2'],
        });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding: 'Encrypted identity does not override the Responses id: same encrypted_content under another id -> new reasoning item (S1 would reuse).',
  },
  {
    name: 'rid-incremental-differs',
    title:
      'AppendOnly with an item of identical content but a different Responses id at the same index (incremental request branching from an older response).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, A1, U2], output: [A2], acceptBefore: ['msg_u2'] });
        s.exchange({ turn: 'turn-1', id: 'inf-3', input: [msg('user', 'and now?', 'msg_u2_other')], previousResponseId: 'resp-inf-1', output: [A3] });
      }),
    finding: 'AppendOnly: same content, different Responses id at the index -> `model conversation mismatch` error.',
  },
  {
    name: 'rid-incremental-branch-same',
    title:
      'An incremental request branching from an older response whose delta equals what the snapshot holds at that index: reused, window = old prefix + delta.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, A1, U2], output: [A2], acceptBefore: ['msg_u2'] });
        s.exchange({ turn: 'turn-1', id: 'inf-3', input: [U2], previousResponseId: 'resp-inf-1', output: [A3] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st) }),
    finding: 'Branching from an older response is fine when the delta equals what the snapshot holds at that index: window = old prefix + reused delta item.',
  },
  {
    name: 'rid-response-output-reuses-earlier',
    title:
      'A response output item identical (content and Responses id) to an item already in the snapshot at another index: AppendOnly has no id at that index — new item or reuse?',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, A1], output: [A1, msg('assistant', 'hi there', 'msg_a1_copy')] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'SURPRISE: a response output item whose Responses id and content match an existing item of the thread is REUSED even though AppendOnly has no item at that index (S1 would create a new one): inf-2 response_item_ids = [3, 4], item 3 gets a second producer inference:inf-2. A same-content item with another id is new.',
  },
  {
    name: 'rid-response-output-thread-wide',
    title:
      'Response outputs whose Responses id names an older item of the thread that is no longer in the window (pre-compaction assistant item, user item), and the same id in another thread.',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      first(s);
      const summary = { type: 'compaction', id: 'cmp_item', encrypted_content: 'SUMMARY' };
      const ref = s.payload('compaction_checkpoint', { input_history: [DEV, U1, A1], replacement_history: [U1, summary] });
      s.event({ type: 'compaction_installed', compaction_id: 'cmp-1', checkpoint_payload: ref }, { thread: s.root, turn: 'turn-1' });
      s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, summary], output: [A1, U1] });
      s.threadStarted('thr-child', '/root/helper', s.childMeta(s.root, '/root/helper'));
      s.turnStarted('turn-c1', 'thr-child');
      s.exchange({ thread: 'thr-child', turn: 'turn-c1', id: 'inf-c1', input: [msg('user', 'child task', 'msg_ct')], output: [A1] });
      s.turnEnded('turn-c1', 'completed', 'thr-child');
      s.turnEnded('turn-1');
      s.finish({ threads: ['thr-child', 'thr-root'] });
      return s.build();
    },
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'The reuse-by-Responses-id for response outputs reaches the whole thread history (a pre-compaction assistant item 3, and user item 2 rather than its replacement copy 5 — the oldest match wins) but not other threads (child output with msg_a1 -> new item). Full requests do not do this (only snapshot/replacement candidates).',
  },
  {
    name: 'transcript-membership-order',
    title:
      'thread.conversation_item_ids order: response items accepted in reverse order, and an unaccepted response item that joins later through a request window.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const X = msg('assistant', 'x', 'msg_x');
        const Z = msg('assistant', 'z', 'msg_z');
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, U1],
          output: [reasoning('rs_1', { summary: ['r'] }), X, Z],
          acceptOutput: false,
          acceptBefore: ['msg_dev', 'msg_u1'],
        });
        s.accept('msg_z', 'turn-1');
        s.accept('rs_1', 'turn-1');
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, reasoning('rs_1', { summary: ['r'] }), X, Z, U2], output: [A2], acceptBefore: ['msg_u2'] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st) }),
    finding:
      'SURPRISE: thread.conversation_item_ids is in item creation order, not in join order: outputs accepted in reverse order and an unaccepted item that joins later via a request still appear as 1,2,3,4,5,... (numeric creation order).',
  },
  {
    name: 'additional-tools-dropped',
    title: 'An `additional_tools` item in the request input is left out of the window (§4.3.2).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, { type: 'additional_tools', tools: [{ type: 'function', name: 'extra' }] }, U1],
          output: [A1],
          acceptBefore: ['msg_dev', 'msg_u1'],
        });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding: 'As S1: the additional_tools item is not in the window and gets no item id.',
  },
  {
    name: 'passthrough-metadata-ignored',
    title: 'internal_chat_message_metadata_passthrough is stripped before matching: the response item and its later copy with metadata are one item (§4.3.2).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const call = fc('fc_1', 'call_1', 'lookup', '{"q":"x"}');
        first(s, [call]);
        const withMeta = { ...call, internal_chat_message_metadata_passthrough: { turn_id: 'turn-1', create_time: 1.5 } };
        const u1Meta = { ...U1, internal_chat_message_metadata_passthrough: { provenance: 'user' } };
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [DEV, u1Meta, withMeta, fco('fco_1', 'call_1', 'found')],
          output: [A2],
          acceptBefore: ['fco_1'],
        });
      }),
    excerpt: (st) => ({ windows: windows(st) }),
    finding: 'As S1: internal_chat_message_metadata_passthrough is ignored for matching (call item and user message reused).',
  },
  {
    name: 'reasoning-encrypted-only-reuse',
    title: 'A later encrypted-only sighting of a reasoning item (no summary, no content) reuses the response item and leaves its body alone (§4.3.3).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, [reasoning('rs_1', { summary: ['thinking about it'], enc: 'ENC-ONE' }), A1]);
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [DEV, U1, reasoning('rs_1', { enc: 'ENC-ONE' }), A1, U2],
          output: [A2],
          acceptBefore: ['msg_u2'],
        });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding: 'As S1: encrypted-only sighting (same Responses id) reuses the response item; the body keeps summary + encoded.',
  },
  {
    name: 'reasoning-fill-missing-text',
    title:
      'A later, more readable sighting (content text) of the same encrypted reasoning fills the missing text; parts become text, summary, encoded (§4.3.4 step 4).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, [reasoning('rs_1', { summary: ['short summary'], enc: 'ENC-ONE' }), A1]);
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [DEV, U1, reasoning('rs_1', { content: ['the full chain of thought'], enc: 'ENC-ONE' }), A1, U2],
          output: [A2],
          acceptBefore: ['msg_u2'],
        });
      }),
    excerpt: (st) => ({ items: items(st) }),
    finding: 'As S1: parts become [text, summary, encoded] after the readable sighting.',
  },
  {
    name: 'reasoning-conflicting-text-keeps-first',
    title:
      'Same encrypted content, different readable text: the first readable body wins; a summary-only item gets its missing text filled but keeps its summary (§4.3.4).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, [
          reasoning('rs_1', { summary: ['first summary'], content: ['first text'], enc: 'ENC-ONE' }),
          reasoning('rs_2', { summary: ['only summary'], enc: 'ENC-TWO' }),
          A1,
        ]);
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [
            DEV,
            U1,
            reasoning('rs_1', { summary: ['second summary'], content: ['second text'], enc: 'ENC-ONE' }),
            reasoning('rs_2', { summary: ['other summary'], content: ['late text'], enc: 'ENC-TWO' }),
            A1,
            U2,
          ],
          output: [A2],
          acceptBefore: ['msg_u2'],
        });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding: 'As S1: first readable text/summary kept; a summary-only item gets the later text filled in but keeps its first summary.',
  },
  {
    name: 'call-id-reused-different-content',
    title: 'Two function_call items with the same call_id but different arguments (§4.3.4 step 1).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, [fc('fc_1', 'call_1', 'lookup', '{"q":"a"}')]);
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [DEV, U1, fc('fc_1', 'call_1', 'lookup', '{"q":"a"}'), fco('fco_1', 'call_1', 'ok')],
          output: [fc('fc_2', 'call_1', 'lookup', '{"q":"b"}')],
          acceptBefore: ['fco_1'],
        });
      }),
    finding: 'As S1 for call items: `model-visible call id call_1 was reused with different content`.',
  },
  {
    name: 'call-id-same-content-other-rid',
    title: 'A function_call re-sent with the same call_id and identical arguments but another Responses id (found by the fuzzer).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const call = fc('fc_1', 'call_1', 'lookup', '{"q":"a"}');
        first(s, [call]);
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [DEV, U1, fc('fc_other', 'call_1', 'lookup', '{"q":"a"}'), fco('fco_1', 'call_1', 'ok')],
          output: [A2],
          acceptBefore: ['fco_1'],
        });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding:
      'No error: the call-id consistency check compares content only (the Responses id is ignored there), while matching does use the id, so the re-sent call becomes a second function_call item with the same call_id.',
  },
  {
    name: 'tool-output-reused-different-content',
    title:
      'A function_call_output / custom_tool_call_output re-sent with the same call_id (and same Responses id) but different content, with a tool call for each call id (§6 checklist: S1 errors).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const call = fc('fc_1', 'call_1', 'lookup', '{"q":"a"}');
        const ccall = ctc('ctc_2', 'call_2', 'apply_patch', 'patch');
        first(s, [call, ccall]);
        s.toolStarted({ id: 'call_1', turn: 'turn-1', kind: { type: 'other', name: 'lookup' }, invocation: s.functionInvocation('lookup', { q: 'a' }) });
        s.toolEnded('call_1', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_1', [{ type: 'input_text', text: 'result A' }])));
        s.toolStarted({
          id: 'call_2',
          turn: 'turn-1',
          kind: { type: 'apply_patch' },
          invocation: s.invocation('apply_patch', { type: 'custom', input: 'patch' }),
        });
        s.toolEnded('call_2', 'turn-1', 'completed', s.directResponse(ctco(undefined, 'call_2', 'ok A')));
        const out1 = fco('fco_1', 'call_1', [{ type: 'input_text', text: 'result A' }]);
        const out2 = fco('fco_1', 'call_1', [{ type: 'input_text', text: 'result B' }]);
        const cout1 = ctco('ctco_2', 'call_2', 'ok A');
        const cout2 = ctco('ctco_2', 'call_2', 'ok B');
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, call, ccall, out1, cout1], output: [A2], acceptBefore: ['fco_1', 'ctco_2'] });
        s.exchange({ turn: 'turn-1', id: 'inf-3', input: [DEV, U1, call, ccall, out2, cout2, A2, U3], output: [A3] });
      }),
    excerpt: (st) => ({
      windows: windows(st),
      tools: Object.fromEntries(
        Object.entries<any>(st.tool_calls).map(([k, v]) => [k, pick(v, ['model_visible_call_item_ids', 'model_visible_output_item_ids'])]),
      ),
      items: items(st),
    }),
    finding:
      "SURPRISE: no error in S2 for OUTPUT items (function_call_output and custom_tool_call_output) re-sent with different content under the same call_id and Responses id: a second item is created, and the tool's model_visible_output_item_ids lists both. The call-id consistency check only covers call items.",
  },
  {
    name: 'unsupported-item-type',
    title: 'A request item with an unknown `type` (§4.3.2 last row).',
    expect: 'error',
    build: () => simple((s) => s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, { type: 'mystery_item', id: 'mi_1' }, U1], output: [A1] })),
    finding: 'As S1: `unsupported model item type mystery_item in payload raw_payload:2`.',
  },
  {
    name: 'request-without-input',
    title: 'An inference request payload with no `input` (§4.3.5).',
    expect: 'error',
    build: () => simple((s) => s.exchange({ turn: 'turn-1', id: 'inf-1', request: { model: 'mock-model', stream: true }, output: [A1] })),
    finding: 'As S1: `inference request payload raw_payload:2 did not contain input`.',
  },
  {
    name: 'request-non-array-input',
    title: 'An inference request whose `input` is a string (§4.3.5).',
    expect: 'error',
    build: () => simple((s) => s.exchange({ turn: 'turn-1', id: 'inf-1', request: { model: 'mock-model', input: 'hello' }, output: [A1] })),
    finding: 'As S1: `... had non-array input`.',
  },
  {
    name: 'message-unsupported-role',
    title: 'A message item with role "robot" (§4.3.2).',
    expect: 'error',
    build: () => simple((s) => s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, msg('robot', 'beep', 'msg_r')], output: [A1] })),
    finding: 'As S1: `unsupported message role robot in payload raw_payload:2`.',
  },
  {
    name: 'reasoning-null-summary',
    title: 'A reasoning item with `summary: null` in a response (S1: error, §4.3.2).',
    expect: 'error',
    build: () =>
      simple((s) =>
        first(s, [{ type: 'reasoning', id: 'rs_1', summary: null, content: [{ type: 'reasoning_text', text: 'x' }], encrypted_content: null }, A1]),
      ),
    finding: 'As S1: `reasoning item in payload raw_payload:3 had non-array summary`.',
  },
  {
    name: 'message-content-shapes',
    title:
      'Content-part helpers: non-array content, text part without text, untyped part, unknown part type, empty content, phase→channel, tool outputs as object/missing (§4.3.2 body helpers).',
    expect: 'ok',
    build: () =>
      simple((s) =>
        first(s, [
          { type: 'message', id: 'msg_c1', role: 'assistant', content: 'plain string content', phase: 'commentary' },
          {
            type: 'message',
            id: 'msg_c2',
            role: 'assistant',
            content: [{ type: 'output_text' }, { text: 'untyped' }, { type: 'refusal', refusal: 'no' }],
            phase: 'final_answer',
          },
          { type: 'message', id: 'msg_c3', role: 'assistant', content: [], phase: 'summary' },
          { type: 'message', id: 'msg_c4', role: 'assistant', content: [{ type: 'output_text', text: 'x' }], phase: 'something_else' },
          fc('fc_o', 'call_o', 'f', 'not json at all'),
          { type: 'function_call', id: 'fc_p', name: 'f', call_id: 'call_p' },
          { type: 'function_call', id: 'fc_q', name: 'f', arguments: { already: 'object' }, call_id: 'call_q' },
          fco('fco_o', 'call_o', { ok: true }),
          { type: 'function_call_output', id: 'fco_p', call_id: 'call_p' },
          ctc('ctc_j', 'call_j', 'apply_patch', '*** Begin Patch'),
          { type: 'custom_tool_call', id: 'ctc_k', call_id: 'call_k', name: 'exec', input: { not: 'a string' } },
          ctco('ctco_j', 'call_j', 7),
          { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } },
          { type: 'tool_search_output', id: 'tso_1', call_id: 'call_ts', tools: [] },
        ]),
      ),
    excerpt: (st) => ({ items: items(st) }),
    finding:
      'Mostly S1, but: empty content [] gives NO parts (S1: payload_ref `empty_content`); payload_ref parts built from content entries (untyped entry -> label content, unknown type -> label = type) carry an extra `content_sha256` field; non-array content / missing arguments / missing output payload_refs have no sha. phase commentary/final_answer/summary -> channel, other phase -> null. Text part without text skipped.',
  },
  {
    name: 'payload-ref-items-never-match',
    title:
      'A message with an input_image part becomes a payload_ref part; the same message in the next full request never matches (payload id differs), so a new item is made (§4.3.3).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const img = {
          type: 'message',
          id: 'msg_img',
          role: 'user',
          content: [
            { type: 'input_text', text: 'what is in this picture?' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        };
        s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, img], output: [A1], acceptBefore: ['msg_dev', 'msg_img'] });
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, img, A1, U2], output: [A2], acceptBefore: ['msg_u2'] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'SURPRISE: the S1 quirk is gone. input_image becomes payload_ref{label input_image, raw_payload_id, content_sha256}; the same image message in the next full request IS reused (matching uses content_sha256, not raw_payload_id).',
  },
  {
    name: 'payload-ref-content-sha256',
    title:
      'payload_ref parts made from content entries carry content_sha256: probes the canonical form hashed (key order, nested objects, number text, non-ASCII); the same entry with reordered keys in a later request.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const entries = [
          '{"type":"input_file","z":{"b":1,"a":[{"d":1.0,"c":2}]},"a":1e2}',
          '{"type":"input_file","s":"é\\u00e9😀<>&\\u0001","n":-0.0,"big":18446744073709551616,"f":0.1}',
          '{"type":"input_file","x":null,"t":true,"e":[],"o":{}}',
          '{"image_url":"data:image/png;base64,AAAA","type":"input_image"}',
        ];
        const reordered = '{"type":"input_image","image_url":"data:image/png;base64,AAAA"}';
        const mk = (list: string[], extra = '') =>
          raw(
            `{"model":"m","input":[{"type":"message","id":"msg_dev","role":"developer","content":[{"type":"input_text","text":"d"}]},{"type":"message","id":"msg_x","role":"user","content":[${list.join(',')}]}${extra}]}`,
          );
        s.exchange({ turn: 'turn-1', id: 'inf-1', request: mk(entries), output: [A1], acceptBefore: ['msg_dev', 'msg_x'] });
        const a1 = ',{"type":"message","id":"msg_a1","role":"assistant","content":[{"type":"output_text","text":"hi there"}]}';
        s.exchange({ turn: 'turn-1', id: 'inf-2', request: mk([...entries.slice(0, 3), reordered], a1), output: [A2] });
      }),
    excerpt: (st) => ({ windows: windows(st), items: items(st) }),
    finding:
      'content_sha256 = SHA-256 of the content entry serialized compactly with object keys sorted recursively, strings as raw UTF-8 (serde escaping), numbers in their lossless source form (see json-number-formatting: 1e2 -> 1e+2, 1.0 stays 1.0, 18446744073709551616 stays). Reordered keys give the same hash, so the item is reused.',
  },
];

// ---------------------------------------------------------------------------
// B. JSON summaries, numbers and text escaping

function bigArgs(targetBytes: number, filler: string, prefix = ''): string {
  // {"k":"<prefix><filler...>"} padded so that the compact JSON is exactly targetBytes long.
  const head = '{"k":"' + prefix;
  const tail = '"}';
  let body = '';
  while (Buffer.byteLength(head + body + filler + tail) <= targetBytes) body += filler;
  let out = head + body + tail;
  while (Buffer.byteLength(out) < targetBytes) {
    body += 'a';
    out = head + body + tail;
  }
  return out;
}

const jsonCases: SyntheticCase[] = [
  {
    name: 'json-summary-truncation-ascii',
    title: 'json part summaries of 239, 240, 241 and 600 bytes: cut to 240 bytes + "..." only when longer than 240 (§4.3.2 json(v)).',
    expect: 'ok',
    build: () =>
      simple((s) =>
        first(s, [
          fc('fc_239', 'call_239', 'f', bigArgs(239, 'x')),
          fc('fc_240', 'call_240', 'f', bigArgs(240, 'x')),
          fc('fc_241', 'call_241', 'f', bigArgs(241, 'x')),
          fc('fc_600', 'call_600', 'f', bigArgs(600, 'x')),
        ]),
      ),
    excerpt: (st) =>
      Object.fromEntries(
        Object.values<any>(st.conversation_items)
          .filter((v) => v.kind === 'function_call')
          .map((v) => [v.call_id, { bytes: Buffer.byteLength(v.body.parts[0].summary), summary_tail: v.body.parts[0].summary.slice(-12) }]),
      ),
    finding: "Cut only when longer than 240 bytes: 239/240 bytes kept whole, 241+ cut to 240 bytes + '...' (243 bytes).",
  },
  {
    name: 'json-summary-cut-inside-multibyte',
    title:
      'A json summary whose 240-byte cut lands inside a 2-byte UTF-8 character ("é" at bytes 240-241), and one where it lands right after one. The Rust S1 code would panic on the first (§4.3.2).',
    expect: 'ok',
    build: () =>
      simple((s) => first(s, [fc('fc_e', 'call_e', 'f', bigArgs(260, 'é', 'a'.repeat(233))), fc('fc_f', 'call_f', 'f', bigArgs(260, 'é', 'a'.repeat(232)))])),
    excerpt: (st) =>
      Object.values<any>(st.conversation_items)
        .filter((v) => v.kind === 'function_call')
        .map((v) => ({ summary: v.body.parts[0].summary, bytes: Buffer.byteLength(v.body.parts[0].summary) })),
    finding: "No panic: a cut inside a 2-byte char backs off to the previous char boundary (239 bytes + '...'); a cut right after the char keeps it.",
  },
  {
    name: 'json-summary-cut-inside-emoji',
    title: 'A json summary whose 240-byte cut lands inside a 4-byte character (emoji), at each of the three inner offsets, in three items (§4.3.2).',
    expect: 'ok',
    build: () =>
      simple((s) =>
        first(s, [
          fc('fc_e1', 'call_e1', 'f', '{"k":"' + 'a'.repeat(233) + '😀😀😀😀"}'),
          fc('fc_e2', 'call_e2', 'f', '{"k":"' + 'a'.repeat(232) + '😀😀😀😀"}'),
          fc('fc_e3', 'call_e3', 'f', '{"k":"' + 'a'.repeat(231) + '😀😀😀😀"}'),
          fc('fc_e4', 'call_e4', 'f', '{"k":"' + 'a'.repeat(230) + '😀😀😀😀"}'),
        ]),
      ),
    excerpt: (st) =>
      Object.values<any>(st.conversation_items)
        .filter((v) => v.kind === 'function_call')
        .map((v) => ({ call: v.call_id, summary_tail: v.body.parts[0].summary.slice(-8), bytes: Buffer.byteLength(v.body.parts[0].summary) })),
    finding: "Cut inside a 4-byte char at offsets 1/2/3 -> floor to the char start (239/238/237 bytes + '...'); cut on the boundary keeps the emoji.",
  },
  {
    name: 'json-number-formatting',
    title:
      'Floats, exponents, -0, big and huge integers, duplicate keys and key order inside function-call arguments: what the json summary string looks like (§4.3.2, §3.1).',
    expect: 'ok',
    build: () => {
      const args: [string, string][] = [
        ['float_one', '{"v":1.0}'],
        ['float_small', '{"v":1.5e-7}'],
        ['float_exp_big', '{"v":1e21}'],
        ['float_exp_upper', '{"v":1E2}'],
        ['neg_zero', '{"v":-0.0}'],
        ['neg_zero_int', '{"v":-0}'],
        ['float_long', '{"v":0.30000000000000004}'],
        ['float_digits', '{"v":3.141592653589793238462643383279}'],
        ['u64_max', '{"v":18446744073709551615}'],
        ['above_u64', '{"v":18446744073709551616}'],
        ['i64_min', '{"v":-9223372036854775808}'],
        ['below_i64', '{"v":-9223372036854775809}'],
        ['above_2_53', '{"v":9007199254740993}'],
        ['huge_int', '{"v":100000000000000000000000000000}'],
        ['float_overflow', '{"v":1e400}'],
        ['dup_keys', '{"a":1,"b":2,"a":3}'],
        ['key_order', '{"z":1,"a":2,"m":{"y":1,"b":2}}'],
        ['whitespace', '{ "a" : [ 1 , 2 ] }'],
        ['scalar_string', '"just a string"'],
        ['scalar_number', '42.50'],
        ['unicode_escape', '{"v":"\\u00e9\\u0041\\ud83d\\ude00"}'],
        ['exp_zero_padded', '[1e007,1E-007,-1.5E+3,2E0,0.1e1,1e-0]'],
        ['zero_forms', '[0,-0,0.0,-0.0,0e0,-0e0,-0.0e0,-0e5]'],
        ['int_edges', '[9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809,-18446744073709551616]'],
        ['float_edges', '[5e-324,1e-400,1.000,10,123456789012345678901234567890.5]'],
      ];
      return simple((s) =>
        first(
          s,
          args.map(([name, a]) => fc(`fc_${name}`, `call_${name}`, 'f', a)),
        ),
      );
    },
    excerpt: (st) =>
      Object.fromEntries(
        Object.values<any>(st.conversation_items)
          .filter((v) => v.kind === 'function_call')
          .map((v) => [v.call_id, v.body.parts[0]]),
      ),
    finding:
      "SURPRISE: numbers keep their source text (serde_json arbitrary_precision): 1.0 -> 1.0, 42.50 -> 42.50, 3.14159...(30 digits) kept, 18446744073709551616 and -9223372036854775809 and 1e29-size integers kept, 1e400 accepted; exponent normalized to lowercase `e` with explicit sign (1E2 -> 1e+2, 1e007 -> 1e+007, 1e-0 kept); integer -0 -> 0 but -0.0 and -0e5 kept (-0e+5). Duplicate keys: last value at the first key's position. Key order preserved, whitespace removed, \\u escapes decoded.",
  },
  {
    name: 'text-escaping',
    title:
      'Non-ASCII, emoji, control characters (U+0001, U+001F, U+007F, U+0085, U+2028), quotes, backslash, "</script>" in text and in json summaries: how state.json escapes them (§3.1).',
    expect: 'ok',
    build: () => {
      const weird = 'é ü 中文 😀 \u0001\u001f\u007f\u0085\u2028\u2029 tab\t cr\r nl\n "quoted" back\\slash </script> \u00a0nbsp';
      return simple((s) =>
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, msg('user', weird, 'msg_weird')],
          output: [msg('assistant', weird, 'msg_weird_out'), fc('fc_w', 'call_w', 'f', JSON.stringify({ text: weird }))],
          acceptBefore: ['msg_dev', 'msg_weird'],
        }),
      );
    },
    excerpt: (st) => ({ items: items(st) }),
    finding:
      'state.json escaping equals JSON.stringify: control chars as \\u0001/\\u001f, \\t \\r \\n escaped, DEL, U+0085, U+2028/9 and non-ASCII raw; json summaries escape the same way.',
  },
  {
    name: 'text-lone-surrogate',
    title: 'A payload string with an escaped lone surrogate (\\ud800): is the payload rejected (§4 payload parse)?',
    expect: 'error',
    build: () =>
      simple((s) => {
        const s2 = s as Scenario;
        const body = raw(JSON.stringify(s2.request([DEV, msg('user', 'PLACEHOLDER', 'msg_bad')])).replace('PLACEHOLDER', 'bad \\ud800 end'));
        s2.exchange({ turn: 'turn-1', id: 'inf-1', request: body, output: [A1] });
      }),
    finding: 'A lone surrogate escape in a payload is rejected: `parse payload raw_payload:2 / unexpected end of hex escape` (JS JSON.parse would accept it).',
  },
];

// ---------------------------------------------------------------------------
// C. inference lifecycle and turn cascades

/** turn-1 with a code cell running and an inference still streaming when the turn ends with `status`. */
function cascade(status: string): BundleFiles {
  const s = new Scenario();
  s.begin('turn-1');
  s.exchange({
    turn: 'turn-1',
    id: 'inf-1',
    input: [DEV, U1],
    output: [ctc('ctc_exec', 'call_exec', 'exec', 'await tools.sleep(10)')],
    acceptBefore: ['msg_dev', 'msg_u1'],
  });
  s.toolStarted({
    id: 'call_exec',
    turn: 'turn-1',
    kind: { type: 'other', name: 'exec' },
    invocation: s.invocation('exec', { type: 'custom', input: 'await tools.sleep(10)' }),
  });
  s.cellStarted('1', 'call_exec', 'await tools.sleep(10)', 'turn-1');
  s.cellInitial('1', 'yielded', 'turn-1');
  s.toolEnded('call_exec', 'turn-1', 'completed', s.directResponse(ctco(undefined, 'call_exec', 'Script running with cell ID 1')));
  s.exchange({
    turn: 'turn-1',
    id: 'inf-2',
    input: [DEV, U1, ctc('ctc_exec', 'call_exec', 'exec', 'await tools.sleep(10)'), ctco('ctco_exec', 'call_exec', 'Script running with cell ID 1')],
    end: 'none',
  });
  s.toolStarted({ id: 'call_sh', turn: 'turn-1', kind: { type: 'exec_command' }, invocation: s.functionInvocation('exec_command', { cmd: 'sleep 100' }) });
  s.toolRuntimeStarted('call_sh', 'turn-1', { type: 'exec_command' }, s.execBegin('call_sh', 'turn-1', 'sleep 100'));
  s.turnEnded('turn-1', status);
  s.finish();
  return s.build();
}
const cascadeExcerpt = (st: any) => ({
  turn: st.codex_turns['turn-1'].execution,
  inference: Object.fromEntries(Object.entries<any>(st.inference_calls).map(([k, v]) => [k, v.execution])),
  code_cell: pick(st.code_cells['code_cell:call_exec'] ?? {}, ['execution', 'runtime_status']),
  tool_call_sh: st.tool_calls['call_sh']?.execution,
  terminal_ops: Object.fromEntries(Object.entries<any>(st.terminal_operations).map(([k, v]) => [k, v.execution])),
});

const inference: SyntheticCase[] = [
  {
    name: 'inference-cancelled-partial',
    title:
      'inference_cancelled with a partial response payload: the partial items are reduced; are they in the thread transcript when never accepted (§4.4, §8.3)?',
    expect: 'ok',
    build: () =>
      simple(
        (s) => {
          s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, U1], acceptBefore: ['msg_dev', 'msg_u1'], end: 'none' });
          s.inferenceCancelled(
            'inf-1',
            'turn-1',
            s.response(null, [reasoning('rs_p', { summary: ['partial thought'] }), msg('assistant', 'partial ans', 'msg_p')]),
            {
              upstream: 'req-123',
              reason: 'interrupted',
            },
          );
        },
        { turnStatus: 'cancelled' },
      ),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'Partial items are reduced (producer inference, response_item_ids set, usage from the partial payload) but, never accepted, they are NOT in thread.conversation_item_ids. response_id null, upstream id recorded.',
  },
  {
    name: 'inference-failed-partial',
    title: 'inference_failed with a partial payload and an upstream request id; then a retry whose full request contains the partial item (§4.4).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, U1], acceptBefore: ['msg_dev', 'msg_u1'], end: 'none' });
        s.inferenceFailed('inf-1', 'turn-1', s.response(null, [msg('assistant', 'half an ans', 'msg_half')]), {
          upstream: 'req-9',
          error: 'stream disconnected',
        });
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, msg('assistant', 'half an ans', 'msg_half')], output: [A1] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding: "Same for inference_failed; the retry's full request containing the partial item reuses it, which makes it join the transcript.",
  },
  {
    name: 'turn-cancelled-cascade',
    title:
      'A turn ending `cancelled` while an inference streams, a code cell is yielded and an exec tool runs: inference→cancelled, cell→terminated/cancelled, tool untouched (§4.2).',
    expect: 'ok',
    build: () => cascade('cancelled'),
    excerpt: cascadeExcerpt,
    finding:
      'As S1: running inference -> cancelled, yielded cell -> runtime terminated / execution cancelled, both at the turn-end seq; the running exec tool call and its terminal operation are untouched.',
  },
  {
    name: 'turn-failed-cascade',
    title: 'Same as turn-cancelled-cascade with the turn ending `failed`: inference→failed, cell→failed (§4.2).',
    expect: 'ok',
    build: () => cascade('failed'),
    excerpt: cascadeExcerpt,
    finding: 'As S1: inference -> failed, cell -> failed/failed.',
  },
  {
    name: 'turn-aborted-cascade',
    title: 'Same with the turn ending `aborted`: inference→aborted, cell→terminated/cancelled (§4.2).',
    expect: 'ok',
    build: () => cascade('aborted'),
    excerpt: cascadeExcerpt,
    finding: 'As S1: inference -> aborted, cell -> terminated/cancelled.',
  },
  {
    name: 'turn-completed-cascade',
    title: 'Same with the turn ending `completed`: the running inference is closed as `cancelled`, the yielded cell is left running (§4.2).',
    expect: 'ok',
    build: () => cascade('completed'),
    excerpt: cascadeExcerpt,
    finding: 'As S1: running inference closed as cancelled; yielded cell left running.',
  },
  {
    name: 'late-cancellation-after-turn-end',
    title:
      'inference_cancelled arriving after the turn end already closed the call: status/end stay from the turn end, upstream id and partial items are still recorded (§4.4 steps 4-6).',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, U1], acceptBefore: ['msg_dev', 'msg_u1'], end: 'none' });
      s.turnEnded('turn-1', 'cancelled');
      s.inferenceCancelled('inf-1', 'turn-1', s.response(null, [msg('assistant', 'late partial', 'msg_late')]), { upstream: 'req-late' });
      s.finish();
      return s.build();
    },
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'As S1: status/end stay from the turn end; upstream_request_id and the partial items are still recorded (items not in the transcript: unaccepted).',
  },
  {
    name: 'late-completion-after-turn-end',
    title:
      'inference_completed arriving after a `completed` turn end closed the call as cancelled: does the completion set response_id and keep status (§4.4)?',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, U1], acceptBefore: ['msg_dev', 'msg_u1'], end: 'none' });
      s.turnEnded('turn-1', 'completed');
      s.inferenceCompleted('inf-1', 'turn-1', 'resp-late', s.response('resp-late', [msg('assistant', 'late answer', 'msg_late')]));
      s.accept('msg_late', 'turn-1');
      s.finish();
      return s.build();
    },
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st) }),
    finding:
      'A completion after the turn end keeps status cancelled / ended_seq of the turn end, but response_id, usage and response items are set; accepted output joins the transcript.',
  },
  {
    name: 'usage-variants',
    title: 'token_usage variants: negative count, missing cache_write_input_tokens, float count, string count, missing token_usage (§4.3.6 step 4).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const base = { input_tokens: 10, cached_input_tokens: 2, output_tokens: 3, reasoning_output_tokens: 1 };
        const variants: [string, unknown][] = [
          ['negative', { ...base, input_tokens: -5, cache_write_input_tokens: -1 }],
          ['no_cache_write', { ...base }],
          ['float', { ...base, output_tokens: 3.5, cache_write_input_tokens: 0 }],
          ['string', { ...base, output_tokens: '3', cache_write_input_tokens: 0 }],
          ['float_cache_write', { ...base, cache_write_input_tokens: 1.5 }],
          ['missing', null],
        ];
        let prev: Item[] = [DEV, U1];
        variants.forEach(([name, usage], i) => {
          const id = `inf-${name}`;
          const out = msg('assistant', `answer ${i}`, `msg_ans_${i}`);
          s.exchange({
            turn: 'turn-1',
            id,
            input: prev,
            response: usage === null ? { response_id: `resp-${id}`, upstream_request_id: null, output_items: [out] } : s.response(`resp-${id}`, [out], usage),
            output: [out],
            acceptBefore: i === 0 ? ['msg_dev', 'msg_u1'] : [],
          });
          prev = [...prev, out];
        });
      }),
    excerpt: (st) => Object.fromEntries(Object.entries<any>(st.inference_calls).map(([k, v]) => [k, v.usage])),
    finding:
      'Negative counts clamp to 0; missing cache_write -> 0; a float or string in a required count -> usage null; a float cache_write_input_tokens -> 0 (not null); missing token_usage -> null.',
  },
  {
    name: 'response-items-never-accepted',
    title:
      'Response output items that no history_item_accepted names: are they in thread.conversation_item_ids, and do they join when a later request contains them (§8.3)?',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, U1],
          output: [reasoning('rs_1', { summary: ['hmm'] }), A1],
          acceptBefore: ['msg_dev', 'msg_u1'],
          acceptOutput: false,
        });
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, A1, U2], output: [A2], acceptBefore: ['msg_u2'], acceptOutput: false });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'Unaccepted response items stay out of thread.conversation_item_ids until a later request window contains them (item 4 joins via inf-2; rs_1 and msg_a2 never).',
  },
  {
    name: 'history-accepted-variants',
    title:
      'history_item_accepted: unknown id never seen, id accepted before its item exists, the same id accepted twice, outputs accepted in reverse order, and acceptances whose envelope thread differs from the item thread (§8.2).',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      s.threadStarted('thr-child', '/root/helper', s.childMeta('thr-root', '/root/helper'));
      s.turnStarted('turn-c1', 'thr-child');
      s.accept('msg_never_seen', 'turn-1');
      s.accept('msg_dev', 'turn-1');
      s.accept('msg_u1', 'turn-1');
      s.accept('msg_u1', 'turn-1');
      s.exchange({
        turn: 'turn-1',
        id: 'inf-1',
        input: [DEV, U1],
        output: [reasoning('rs_1', { summary: ['hmm'] }), A1, msg('assistant', 'p.s.', 'msg_ps')],
        acceptOutput: false,
      });
      s.accept('msg_ps', 'turn-1');
      s.accept('msg_a1', 'turn-1');
      s.accept('rs_1', 'turn-1');
      s.accept('msg_a1', 'turn-1');
      s.accept('msg_a1', 'turn-c1', 'thr-child');
      s.exchange({
        thread: 'thr-child',
        turn: 'turn-c1',
        id: 'inf-c1',
        input: [msg('user', 'child task', 'msg_ct')],
        output: [msg('assistant', 'child done', 'msg_cd')],
        acceptOutput: false,
      });
      s.accept('msg_cd', 'turn-1', 'thr-root');
      s.turnEnded('turn-c1', 'completed', 'thr-child');
      s.turnEnded('turn-1');
      s.finish({ threads: ['thr-child', 'thr-root'] });
      return s.build();
    },
    excerpt: (st) => ({ threads: threadLists(st), items: items(st) }),
    finding:
      "Unknown id ignored; acceptance before the item exists applies when it is created; first acceptance wins (seq 8, not 9; 12 not 13); acceptance is scoped to the envelope thread: accepting a child item from the root context does nothing (child item stays unaccepted and out of the child's list).",
  },
  {
    name: 'history-accepted-no-thread',
    title: 'history_item_accepted whose envelope thread_id is null (found by the fuzzer).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s);
        s.event({ type: 'history_item_accepted', item_id: 'msg_a1' }, { thread: null, turn: 'turn-1' });
      }),
    finding: '`history acceptance has no thread` (the turn is not used to find the thread).',
  },
  {
    name: 'history-accepted-unknown-thread',
    title: 'history_item_accepted whose envelope thread_id names no thread (found by the fuzzer).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s);
        s.event({ type: 'history_item_accepted', item_id: 'msg_a1' }, { thread: 'thr-ghost', turn: 'turn-1' });
      }),
    finding: '`trace event referenced unknown thread thr-ghost` — also when the acceptance comes before its thread_started.',
  },
  {
    name: 'rid-duplicate-output-items',
    title: 'A response whose output_items repeat the same item (same Responses id and content) twice (found by the fuzzer).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.exchange({ turn: 'turn-1', id: 'inf-2', input: [DEV, U1, A1, U2], output: [A2, A2], acceptBefore: ['msg_u2'] });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'Two items: an existing item is reused at most once per reconciliation batch, so the second copy is a new item with the same responses_item_id (and the same acceptance).',
  },
  {
    name: 'history-accepted-agent-message-id-mismatch',
    title: 'history_item_accepted whose agent_message_payload item has another id than the event item_id (found by the fuzzer).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s);
        s.accept('amsg_one', 'turn-1', s.root, s.payload('protocol_event', agentMsg('amsg_other', '/root/x', '/root', 'hello root')));
      }),
    finding: '`accepted agent message does not match receipt amsg_one`.',
  },
  {
    name: 'rid-empty-string',
    title:
      'Items whose Responses `id` is the empty string: a call item re-sent with id "" after being seen with an id, and two different messages with id "" (found by the fuzzer).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const call = fc('fc_1', 'call_1', 'lookup', '{"q":"a"}');
        const withId = (it: Item, id: string): Item => ({
          type: it.type,
          id,
          ...Object.fromEntries(Object.entries(it).filter(([k]) => k !== 'type' && k !== 'id')),
        });
        first(s, [call, withId(msg('assistant', 'first'), '')]);
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [
            DEV,
            U1,
            withId(call, ''),
            withId(msg('assistant', 'first'), ''),
            withId(fco(undefined, 'call_1', 'ok'), ''),
            withId(msg('user', 'second'), ''),
          ],
          output: [A2],
        });
        s.exchange({
          turn: 'turn-1',
          id: 'inf-3',
          input: [
            DEV,
            U1,
            withId(call, ''),
            withId(msg('assistant', 'first'), ''),
            withId(fco(undefined, 'call_1', 'ok'), ''),
            withId(msg('user', 'second'), ''),
            A2,
          ],
          output: [],
        });
      }),
    excerpt: (st) => ({ windows: windows(st), threads: threadLists(st), items: items(st) }),
    finding:
      'The empty string is an ordinary Responses id (kept as "" in responses_item_id, not treated as absent): the call item re-sent with id "" does not match fc_1 and becomes a new item — without a call-id error, since its content is equal; items with id "" match each other by content.',
  },
  {
    name: 'wall-time-beyond-2-53',
    title: 'wall_time_unix_ms values above 2^53 (9007199254740993 is not a JS double) on a turn start and end (found by the fuzzer).',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      first(s);
      s.turnEnded('turn-1');
      s.finish();
      const b = s.build();
      const lines = b.trace!.split('\n');
      lines[2] = lines[2].replace(/"wall_time_unix_ms":\d+/, '"wall_time_unix_ms":9007199254740993');
      lines[9] = lines[9].replace(/"wall_time_unix_ms":\d+/, '"wall_time_unix_ms":9223372036854775807');
      return { ...b, trace: lines.join('\n') };
    },
    excerpt: (st) => ({ turns: st.codex_turns }),
    finding:
      'Accepted and written exactly (9007199254740993, 9223372036854775807): wall times are i64 and must be kept losslessly (a JS double prints 9007199254740992).',
  },
];

// ---------------------------------------------------------------------------
// D. compaction

const CHECKPOINT_INPUT = [DEV, U1, A1, U2, A2];
function compactionBase(s: Scenario): void {
  first(s);
  s.exchange({ turn: 'turn-1', id: 'inf-2', input: [U2], previousResponseId: 'resp-inf-1', output: [A2], acceptBefore: ['msg_u2'] });
}
function compactionRequest(s: Scenario, reqId: string, compactionId: string, turn = 'turn-1'): void {
  const ref = s.payload('compaction_request', { model: 'mock-model', instructions: 'compact', input: CHECKPOINT_INPUT, parallel_tool_calls: false });
  s.event(
    {
      type: 'compaction_request_started',
      compaction_id: compactionId,
      compaction_request_id: reqId,
      thread_id: s.root,
      codex_turn_id: turn,
      model: 'mock-model',
      provider_name: 'mock',
      request_payload: ref,
    },
    { thread: s.root, turn },
  );
}
function compactionInstall(
  s: Scenario,
  compactionId: string,
  replacement: Item[],
  ctx: { thread?: string | null; turn?: string | null } = { thread: 'thr-root', turn: 'turn-1' },
): void {
  const ref = s.payload('compaction_checkpoint', { input_history: CHECKPOINT_INPUT, replacement_history: replacement });
  s.event({ type: 'compaction_installed', compaction_id: compactionId, checkpoint_payload: ref }, ctx);
}
const SUMMARY_ITEM = { type: 'context_compaction', id: 'ctx_1', encrypted_content: 'SUMMARY-BLOB' };
const compactionExcerpt = (st: any) => ({
  compactions: st.compactions,
  requests: Object.fromEntries(
    Object.entries<any>(st.compaction_requests).map(([k, v]) => [
      k,
      { compaction_id: v.compaction_id, execution: v.execution, response: v.raw_response_payload_id },
    ]),
  ),
  windows: windows(st),
  threads: threadLists(st),
  items: items(st),
});

const compaction: SyntheticCase[] = [
  {
    name: 'compaction-context-compaction',
    title:
      'Remote compaction whose replacement history ends with a `context_compaction` summary item; the next full request re-injects the developer prefix and reuses the replacement items (§4.8).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        compactionBase(s);
        compactionRequest(s, 'compaction_request:1', 'cmp-1');
        const resp = s.payload('compaction_response', { output_items: [SUMMARY_ITEM] });
        s.event(
          { type: 'compaction_request_completed', compaction_id: 'cmp-1', compaction_request_id: 'compaction_request:1', response_payload: resp },
          { thread: s.root, turn: 'turn-1' },
        );
        compactionInstall(s, 'cmp-1', [U1, SUMMARY_ITEM]);
        const dev2 = msg('developer', 'You are a test agent.', 'msg_dev_2');
        s.exchange({ turn: 'turn-1', id: 'inf-3', input: [dev2, U1, SUMMARY_ITEM, U3], output: [A3], acceptBefore: ['msg_dev_2', 'msg_u3'] });
      }),
    excerpt: compactionExcerpt,
    finding:
      'As S1: marker + replacement items (producer compaction; context_compaction -> assistant/summary message with encoded body); next full request reuses replacement items, re-injected developer message is new. Replacement items with a Responses id inherit its acceptance (item 7 accepted_seq 5).',
  },
  {
    name: 'compaction-request-failed',
    title:
      'A failed compaction attempt, a successful retry, the install, then one more attempt with the same compaction id after the install (§4.8: request_ids only lists requests existing at install time).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        compactionBase(s);
        compactionRequest(s, 'compaction_request:1', 'cmp-1');
        s.event(
          { type: 'compaction_request_failed', compaction_id: 'cmp-1', compaction_request_id: 'compaction_request:1', error: 'upstream 500' },
          { thread: s.root, turn: 'turn-1' },
        );
        compactionRequest(s, 'compaction_request:2', 'cmp-1');
        const resp = s.payload('compaction_response', { output_items: [SUMMARY_ITEM] });
        s.event(
          { type: 'compaction_request_completed', compaction_id: 'cmp-1', compaction_request_id: 'compaction_request:2', response_payload: resp },
          { thread: s.root, turn: 'turn-1' },
        );
        compactionInstall(s, 'cmp-1', [SUMMARY_ITEM]);
        compactionRequest(s, 'compaction_request:3', 'cmp-1');
      }),
    excerpt: compactionExcerpt,
    finding:
      'request_ids = requests with that compaction id existing at install time (failed one included); the request started after the install stays running and is not listed; failed -> raw_response_payload_id null.',
  },
  {
    name: 'compaction-then-incremental',
    title:
      'After an install, an incremental request ignores the pending replacement and does not clear it; the following full request still reconciles against the replacement (§4.8 step 8).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        compactionBase(s);
        compactionInstall(s, 'cmp-1', [U1, { type: 'compaction', id: 'cmp_item', encrypted_content: 'SUMMARY' }]);
        s.exchange({ turn: 'turn-1', id: 'inf-3', input: [U3], previousResponseId: 'resp-inf-2', output: [A3], acceptBefore: ['msg_u3'] });
        s.exchange({
          turn: 'turn-1',
          id: 'inf-4',
          input: [DEV, U1, { type: 'compaction', id: 'cmp_item', encrypted_content: 'SUMMARY' }, U3],
          output: [msg('assistant', 'fourth', 'msg_a4')],
        });
      }),
    excerpt: compactionExcerpt,
    finding:
      "As S1: an incremental request after the install uses the previous response's window and does not consume the pending replacement; the next full request reconciles against the replacement only (msg_dev and msg_u3 become new items even though older items with those ids exist).",
  },
  {
    name: 'compaction-install-without-turn',
    title: 'compaction_installed whose envelope has no codex_turn_id (§4.8 step 1).',
    expect: 'error',
    build: () =>
      simple((s) => {
        compactionBase(s);
        compactionInstall(s, 'cmp-1', [SUMMARY_ITEM], { thread: 'thr-root', turn: null });
      }),
    finding: 'As S1: `compaction installed event cmp-1 did not include a codex turn id`.',
  },
  {
    name: 'compaction-completion-id-mismatch',
    title: 'compaction_request_completed naming a different compaction_id than its start (§4.8).',
    expect: 'error',
    build: () =>
      simple((s) => {
        compactionBase(s);
        compactionRequest(s, 'compaction_request:1', 'cmp-1');
        const resp = s.payload('compaction_response', { output_items: [SUMMARY_ITEM] });
        s.event(
          { type: 'compaction_request_completed', compaction_id: 'cmp-OTHER', compaction_request_id: 'compaction_request:1', response_payload: resp },
          { thread: s.root, turn: 'turn-1' },
        );
      }),
    finding: 'As S1: `compaction request compaction_request:1 completion used compaction cmp-OTHER, but start used cmp-1`.',
  },
];

// ---------------------------------------------------------------------------
// E. threads, rollout, admission checks

function admissionBase(): Scenario {
  const s = new Scenario();
  s.begin('turn-1');
  first(s);
  s.turnEnded('turn-1');
  return s;
}
function withLines(b: BundleFiles, edit: (lines: string[]) => string[]): BundleFiles {
  const lines = (b.trace ?? '').split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
  return {
    ...b,
    trace: edit(lines)
      .map((l) => l + '\n')
      .join(''),
  };
}
const editLine = (line: string, f: (o: any) => void): string => {
  const o = JSON.parse(line);
  f(o);
  return JSON.stringify(o);
};

const admission: SyntheticCase[] = [
  {
    name: 'thread-resumed-after-end',
    title: 'thread_resumed after thread_ended reopens the thread window; a new turn runs; the thread does not end again (§8.2).',
    expect: 'ok',
    build: () => {
      const s = admissionBase();
      s.threadEnded(s.root);
      s.event({ type: 'thread_resumed', thread_id: s.root });
      s.turnStarted('turn-2');
      s.exchange({ turn: 'turn-2', id: 'inf-2', input: [U2], previousResponseId: 'resp-inf-1', output: [A2], acceptBefore: ['msg_u2'] });
      s.turnEnded('turn-2');
      s.finish({ threads: [] });
      return s.build();
    },
    excerpt: (st) => ({
      threads: Object.fromEntries(Object.entries<any>(st.threads).map(([k, v]) => [k, v.execution])),
      turns: Object.fromEntries(Object.entries<any>(st.codex_turns).map(([k, v]) => [k, v.execution])),
    }),
    finding: 'Window reopened (ended null, running) and stays open; the new turn is normal.',
  },
  {
    name: 'thread-resumed-not-ended',
    title: 'thread_resumed for a thread that is still running (§8.2).',
    expect: 'error',
    build: () => {
      const s = admissionBase();
      s.event({ type: 'thread_resumed', thread_id: s.root });
      s.finish();
      return s.build();
    },
    finding: '`resumed thread thr-root has not ended`.',
  },
  {
    name: 'thread-resumed-unknown-thread',
    title: 'thread_resumed naming a thread that never started.',
    expect: 'error',
    build: () => {
      const s = admissionBase();
      s.event({ type: 'thread_resumed', thread_id: 'thr-ghost' });
      s.finish();
      return s.build();
    },
    finding:
      'New S2 message with context: `cannot resume thread thr-ghost: it was not started in this trace; resuming threads from an earlier trace is not supported` / caused by `trace event referenced unknown thread thr-ghost`.',
  },
  {
    name: 'thread-started-without-metadata',
    title: 'thread_started with metadata_payload null: agent_path from the event, nickname/default_model null (§4.1).',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.rolloutStarted();
      s.threadStarted(s.root, '/root/from-event', null);
      s.turnStarted('turn-1');
      first(s);
      s.turnEnded('turn-1');
      s.finish();
      return s.build();
    },
    excerpt: (st) => ({ threads: st.threads }),
    finding: 'agent_path from the event, nickname/default_model null, origin root.',
  },
  {
    name: 'rollout-ended-failed',
    title: 'rollout_ended with status failed: top-level status, ended_at (§8.3).',
    expect: 'ok',
    build: () => {
      const s = admissionBase();
      s.finish({ rolloutStatus: 'failed' });
      return s.build();
    },
    excerpt: (st) => pick(st, ['status', 'ended_at_unix_ms', 'recording_complete']),
    finding: 'status failed, ended_at = event time, recording_complete true.',
  },
  {
    name: 'no-recording-completed',
    title: 'A bundle that stops without rollout_ended and recording_completed (crash): status running, recording_complete false, windows left open (§8.3).',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      first(s);
      s.exchange({ turn: 'turn-1', id: 'inf-2', input: [U2], previousResponseId: 'resp-inf-1', acceptBefore: ['msg_u2'], end: 'none' });
      return s.build();
    },
    excerpt: (st) => ({ top: pick(st, ['status', 'ended_at_unix_ms', 'recording_complete']), windows: windows(st) }),
    finding: 'status running, ended_at null, recording_complete false; the streaming call stays running.',
  },
  {
    name: 'event-after-recording-completed',
    title: 'An event (rollout_ended) after recording_completed (§8.1).',
    expect: 'error',
    build: () => {
      const s = admissionBase();
      s.threadEnded(s.root);
      s.event({ type: 'recording_completed' });
      s.event({ type: 'rollout_ended', status: 'completed' });
      return s.build();
    },
    finding: '`trace event after recording completed`.',
  },
  {
    name: 'recording-completed-twice',
    title: 'Two recording_completed events at the end.',
    expect: 'error',
    build: () => {
      const s = admissionBase();
      s.finish();
      s.event({ type: 'recording_completed' });
      return s.build();
    },
    finding: 'A second recording_completed is itself an event after recording completed: same error.',
  },
  {
    name: 'seq-gap',
    title: 'seq jumps from 6 to 8 (§8.1).',
    expect: 'error',
    build: () => withLines(admissionBase().finish().build(), (ls) => ls.map((l, i) => (i >= 6 ? editLine(l, (o) => (o.seq += 1)) : l))),
    finding: '`missing or reordered trace event 7` at line 7 (7 = expected seq).',
  },
  {
    name: 'seq-duplicate',
    title: 'Line 7 repeats seq 6, later seqs shifted down (§8.1).',
    expect: 'error',
    build: () => withLines(admissionBase().finish().build(), (ls) => ls.map((l, i) => (i >= 6 ? editLine(l, (o) => (o.seq -= 1)) : l))),
    finding: 'Same message at line 7.',
  },
  {
    name: 'seq-as-string',
    title: 'An envelope whose seq is the string "5" instead of a number.',
    expect: 'error',
    build: () => withLines(admissionBase().finish().build(), (ls) => ls.map((l, i) => (i === 4 ? editLine(l, (o) => (o.seq = String(o.seq))) : l))),
    finding: 'Parse error, not a seq error: `parse trace event line 5 / invalid type: string "5", expected u64`.',
  },
  {
    name: 'wrong-rollout-id',
    title: 'One envelope (line 5) carries a different rollout_id (§8.1).',
    expect: 'error',
    build: () => withLines(admissionBase().finish().build(), (ls) => ls.map((l, i) => (i === 4 ? editLine(l, (o) => (o.rollout_id = 'other-rollout')) : l))),
    finding: '`trace event belongs to another rollout` (no id in the message).',
  },
  {
    name: 'wrong-envelope-schema',
    title: 'One envelope (line 4) with schema_version 3 (§8.1).',
    expect: 'error',
    build: () => withLines(admissionBase().finish().build(), (ls) => ls.map((l, i) => (i === 3 ? editLine(l, (o) => (o.schema_version = 3)) : l))),
    finding: '`unsupported trace event schema 3 at line 4`.',
  },
  {
    name: 'manifest-schema-1',
    title: 'manifest.json with schema_version 1 (events still 2) (§8.1).',
    expect: 'error',
    build: () => {
      const s = admissionBase();
      s.manifestSchemaVersion = 1;
      return s.finish().build();
    },
    finding: '`trace schema 1 cannot establish accepted history; ...` before any event is read.',
  },
  {
    name: 'other-event',
    title: 'An `other` event with all its fields (kind, summary, payloads, metadata) (§2).',
    expect: 'error',
    build: () => {
      const s = admissionBase();
      const ref = s.payload('protocol_event', { type: 'warning', message: 'x' });
      s.event({ type: 'other', kind: 'experiment', summary: 'early instrumentation', payloads: [ref], metadata: { a: 1 } }, { thread: s.root, turn: 'turn-1' });
      return s.finish().build();
    },
    finding: 'A well-formed `other` event parses, then fails: `raw trace event has no reducer implementation`.',
  },
  {
    name: 'trace-line-lone-surrogate',
    title: 'A trace.jsonl line whose JSON contains an escaped lone surrogate (in a turn id string).',
    expect: 'error',
    build: () =>
      withLines(admissionBase().finish().build(), (ls) =>
        ls.map((l, i) => (i === 3 ? l.replace('"codex_turn_id":"turn-1","payload"', '"codex_turn_id":"turn-1\\udc00","payload"') : l)),
      ),
    finding: 'An escaped lone surrogate in a trace line: `parse trace event line 4 / lone leading surrogate in hex escape`.',
  },
  {
    name: 'payload-invalid-utf8',
    title: 'A request payload file containing a byte sequence that is not UTF-8 (0xFF inside a string).',
    expect: 'error',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      first(s);
      s.turnEnded('turn-1');
      const b = s.finish().build();
      const text = b.files.get('payloads/2.json') as string;
      const buf = Buffer.from(text.replace('hello', 'hel\u0001lo'), 'utf8');
      const i = buf.indexOf(1);
      buf[i] = 0xff;
      b.files.set('payloads/2.json', buf);
      return b;
    },
    finding: 'Invalid UTF-8 in a payload is a parse error (`parse payload raw_payload:2 / invalid unicode code point`), not a read error.',
  },
  {
    name: 'blank-line-in-trace',
    title: 'An empty line and a whitespace-only line in the middle of trace.jsonl (S1 skips blank lines, §1.2).',
    expect: 'ok',
    build: () => withLines(admissionBase().finish().build(), (ls) => [...ls.slice(0, 5), '', '   ', ...ls.slice(5)]),
    excerpt: (st) => pick(st, ['status', 'recording_complete']),
    finding: 'Empty and whitespace-only lines are skipped and do not count for seq; later line numbers still count them.',
  },
  {
    name: 'crlf-line-endings',
    title: 'trace.jsonl written with CRLF line endings.',
    expect: 'ok',
    build: () => {
      const b = admissionBase().finish().build();
      return { ...b, trace: (b.trace ?? '').replace(/\n/g, '\r\n') };
    },
    excerpt: (st) => pick(st, ['status', 'recording_complete']),
    finding: 'CRLF accepted (the \\r is JSON whitespace).',
  },
  {
    name: 'extra-fields-ignored',
    title: 'Unknown extra fields on the envelope, on event payloads, on refs and in the manifest (§5: extra fields ignored).',
    expect: 'ok',
    build: () => {
      const b = withLines(admissionBase().finish().build(), (ls) =>
        ls.map((l) =>
          editLine(l, (o) => {
            o.extra_envelope_field = { nested: true };
            o.payload.extra_payload_field = 42;
            for (const v of Object.values<any>(o.payload)) if (v && typeof v === 'object' && 'raw_payload_id' in v) v.sha256 = 'abc';
          }),
        ),
      );
      const m = JSON.parse(b.manifest!);
      m.extra_manifest_field = 'x';
      return { ...b, manifest: JSON.stringify(m, null, 2) };
    },
    excerpt: (st) => ({ raw_payloads: st.raw_payloads }),
    finding: 'Unknown fields on envelope, payload, refs and manifest are ignored; refs in raw_payloads are re-serialized without the extra field.',
  },
  {
    name: 'rollout-started-overrides',
    title: 'No rollout_started first; a later rollout_started with other trace_id/root_thread_id overrides the manifest values (§8.1).',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.threadStarted(s.root, '/root');
      s.event({ type: 'rollout_started', trace_id: 'trace-override', root_thread_id: 'thr-override' });
      s.turnStarted('turn-1');
      first(s);
      s.turnEnded('turn-1');
      return s.finish().build();
    },
    excerpt: (st) => pick(st, ['trace_id', 'rollout_id', 'root_thread_id', 'started_at_unix_ms']),
    finding: 'rollout_started need not be first; it overrides trace_id and root_thread_id; rollout_id/started_at stay from the manifest.',
  },
];

// ---------------------------------------------------------------------------
// F. tools: MCP, agents, terminals

const toolExcerpt = (st: any) => ({
  tool_calls: Object.fromEntries(
    Object.entries<any>(st.tool_calls).map(([k, v]) => [
      k,
      {
        kind: v.kind,
        mcp_call_id: v.mcp_call_id,
        terminal_operation_id: v.terminal_operation_id,
        summary: v.summary,
        execution: v.execution.status,
        runtime: v.raw_runtime_payload_ids,
        result: v.raw_result_payload_id,
      },
    ]),
  ),
  terminal_sessions: st.terminal_sessions,
  terminal_operations: st.terminal_operations,
});
const edgeExcerpt = (st: any) => ({
  interaction_edges: st.interaction_edges,
  threads: Object.fromEntries(
    Object.entries<any>(st.threads).map(([k, v]) => [k, { agent_path: v.agent_path, origin: v.origin, items: v.conversation_item_ids.join(' ') }]),
  ),
});

function mcpTool(s: Scenario, id: string): void {
  s.toolStarted({
    id,
    turn: 'turn-1',
    kind: { type: 'other', name: 'echo' },
    label: 'mcp__mock.echo',
    invocation: s.functionInvocation('echo', { text: 'hi' }, 'mcp__mock'),
  });
  s.toolRuntimeStarted(
    id,
    'turn-1',
    { type: 'mcp', server: 'mock', tool: 'echo' },
    { call_id: id, turn_id: 'turn-1', invocation: { server: 'mock', tool: 'echo', arguments: { text: 'hi' } } },
  );
}

// Collab runtime payloads carry thread ids typed as UUIDs: the agent cases use UUID thread ids.
const R = '019a0000-0000-7000-8000-000000000001';
const C = '019a0000-0000-7000-8000-000000000002';
const IDLE = '019a0000-0000-7000-8000-000000000003';
const GHOST = '019a0000-0000-7000-8000-0000000000ff';

/** Like simple(), with a UUID root thread. */
function simpleU(body: (s: Scenario) => void): BundleFiles {
  const s = new Scenario({ rootThreadId: R });
  s.begin('turn-1');
  body(s);
  s.turnEnded('turn-1');
  s.finish();
  return s.build();
}

/** A child thread /root/helper (UUID C) spawned by the root. */
function withChild(s: Scenario): void {
  s.threadStarted(C, '/root/helper', s.childMeta(s.root, '/root/helper', { task_name: 'helper' }));
}

const tools: SyntheticCase[] = [
  {
    name: 'mcp-correlation',
    title:
      'mcp_tool_call_correlation_assigned sets mcp_call_id; a correlation that arrives before the runtime start; runtime kind mcp replaces the kind (§4.5.2).',
    expect: 'ok',
    build: () =>
      simpleU((s) => {
        first(s, [fc('fc_m1', 'call_m1', 'echo', '{"text":"hi"}'), fc('fc_m2', 'call_m2', 'echo', '{"text":"hi"}')]);
        mcpTool(s, 'call_m1');
        s.event({ type: 'mcp_tool_call_correlation_assigned', tool_call_id: 'call_m1', mcp_call_id: 'mcp-uuid-1' });
        s.toolRuntimeEnded('call_m1', 'turn-1', 'completed', { result: { Ok: { content: [{ type: 'text', text: 'hi' }], isError: false } } });
        s.toolEnded('call_m1', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_m1', 'hi')));
        s.toolStarted({
          id: 'call_m2',
          turn: 'turn-1',
          kind: { type: 'other', name: 'echo' },
          invocation: s.functionInvocation('echo', { text: 'hi' }, 'mcp__mock'),
        });
        s.event({ type: 'mcp_tool_call_correlation_assigned', tool_call_id: 'call_m2', mcp_call_id: 'mcp-uuid-2' });
        s.toolEnded('call_m2', 'turn-1', 'failed', s.directResponse(fco(undefined, 'call_m2', 'error')));
      }),
    excerpt: toolExcerpt,
    finding: 'mcp_call_id set (also without runtime events); runtime kind {mcp, server, tool} replaces the tool kind; summary stays generic.',
  },
  {
    name: 'mcp-correlation-duplicate',
    title: 'A second MCP correlation for the same tool call (§4.5.2).',
    expect: 'error',
    build: () =>
      simpleU((s) => {
        first(s, [fc('fc_m1', 'call_m1', 'echo', '{"text":"hi"}')]);
        mcpTool(s, 'call_m1');
        s.event({ type: 'mcp_tool_call_correlation_assigned', tool_call_id: 'call_m1', mcp_call_id: 'mcp-uuid-1' });
        s.event({ type: 'mcp_tool_call_correlation_assigned', tool_call_id: 'call_m1', mcp_call_id: 'mcp-uuid-1' });
      }),
    finding: '`duplicate MCP correlation for tool call call_m1` (even with the same id).',
  },
  {
    name: 'mcp-correlation-unknown-tool',
    title: 'An MCP correlation for a tool call that never started (§4.5.2).',
    expect: 'error',
    build: () =>
      simpleU((s) => {
        first(s);
        s.event({ type: 'mcp_tool_call_correlation_assigned', tool_call_id: 'call_ghost', mcp_call_id: 'mcp-uuid-1' });
      }),
    finding: '`MCP correlation referenced unknown tool call call_ghost`.',
  },
  {
    name: 'close-agent-edges',
    title:
      'close_agent with CollabCloseBegin/End (edge to the child thread), close_agent to a thread not in the trace (skipped), interrupt via SubAgentActivity `interrupted` (§4.9.4).',
    expect: 'ok',
    build: () =>
      simpleU((s) => {
        first(s, [
          fc('fc_c1', 'call_close', 'close_agent', `{"target":"${C}"}`),
          fc('fc_c2', 'call_close_ghost', 'close_agent', `{"target":"${GHOST}"}`),
          fc('fc_c3', 'call_intr', 'interrupt_agent', `{"target":"${C}"}`),
        ]);
        withChild(s);
        const ns = 'multi_agent_v1';
        s.toolStarted({ id: 'call_close', turn: 'turn-1', kind: { type: 'close_agent' }, invocation: s.functionInvocation('close_agent', { target: C }, ns) });
        s.toolRuntimeStarted(
          'call_close',
          'turn-1',
          { type: 'close_agent' },
          { call_id: 'call_close', started_at_ms: 1, sender_thread_id: R, receiver_thread_id: C },
        );
        s.threadEnded(C);
        s.toolRuntimeEnded('call_close', 'turn-1', 'completed', {
          call_id: 'call_close',
          completed_at_ms: 2,
          sender_thread_id: R,
          receiver_thread_id: C,
          receiver_agent_nickname: 'Helper',
          status: 'shutdown',
        });
        s.toolEnded('call_close', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_close', '{}')));
        s.toolStarted({
          id: 'call_close_ghost',
          turn: 'turn-1',
          kind: { type: 'close_agent' },
          invocation: s.functionInvocation('close_agent', { target: GHOST }, ns),
        });
        s.toolRuntimeStarted(
          'call_close_ghost',
          'turn-1',
          { type: 'close_agent' },
          { call_id: 'call_close_ghost', started_at_ms: 3, sender_thread_id: R, receiver_thread_id: GHOST },
        );
        s.toolRuntimeEnded('call_close_ghost', 'turn-1', 'completed', {
          call_id: 'call_close_ghost',
          completed_at_ms: 4,
          sender_thread_id: R,
          receiver_thread_id: GHOST,
          receiver_agent_nickname: null,
          status: 'not_found',
        });
        s.toolEnded('call_close_ghost', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_close_ghost', '{}')));
        s.toolStarted({
          id: 'call_intr',
          turn: 'turn-1',
          kind: { type: 'close_agent' },
          invocation: s.functionInvocation('interrupt_agent', { target: C }, 'collaboration'),
        });
        s.toolRuntimeEnded('call_intr', 'turn-1', 'completed', {
          model: 'mock-model',
          reasoning_effort: 'medium',
          event_id: 'call_intr',
          occurred_at_ms: 5,
          agent_thread_id: C,
          agent_path: '/root/helper',
          kind: 'interrupted',
        });
        s.toolEnded('call_intr', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_intr', '{}')));
      }),
    excerpt: edgeExcerpt,
    finding:
      'As S1: close edges target the thread (start = tool start, end = runtime end / activity time); close to a thread not in the trace is skipped silently; SubAgentActivity `interrupted` on close_agent makes the edge.',
  },
  {
    name: 'send-message-edge',
    title:
      'send_message with CollabAgentInteractionBegin/End; the child receives the message as an agent_message through history_item_accepted.agent_message_payload; the edge targets that item (§4.9).',
    expect: 'ok',
    build: () =>
      simpleU((s) => {
        first(s, [fc('fc_s', 'call_send', 'send_message', `{"target":"${C}","message":"please report"}`)]);
        withChild(s);
        s.turnStarted('turn-c1', C);
        s.toolStarted({
          id: 'call_send',
          turn: 'turn-1',
          kind: { type: 'send_message' },
          invocation: s.functionInvocation('send_message', { target: C, message: 'please report' }, 'collaboration'),
        });
        s.toolRuntimeStarted(
          'call_send',
          'turn-1',
          { type: 'send_message' },
          { call_id: 'call_send', started_at_ms: 1, sender_thread_id: R, receiver_thread_id: C, prompt: 'please report' },
        );
        const am = agentMsg('amsg_1', '/root', '/root/helper', 'please report');
        s.accept('amsg_1', 'turn-c1', C, s.payload('protocol_event', am));
        s.toolRuntimeEnded('call_send', 'turn-1', 'completed', {
          call_id: 'call_send',
          completed_at_ms: 2,
          sender_thread_id: R,
          receiver_thread_id: C,
          receiver_agent_nickname: 'Helper',
          prompt: 'please report',
          status: 'running',
        });
        s.toolEnded('call_send', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_send', '{}')));
        s.exchange({
          thread: C,
          turn: 'turn-c1',
          id: 'inf-c1',
          input: [msg('developer', 'child dev', 'msg_cdev'), am],
          output: [msg('assistant', 'report done', 'msg_crep')],
        });
        s.turnEnded('turn-c1', 'completed', C);
        s.threadEnded(C);
      }),
    excerpt: (st) => ({ ...edgeExcerpt(st), items: items(st) }),
    finding:
      'The edge resolves to the agent_message item created by history_item_accepted.agent_message_payload; the later runtime end does NOT set ended_at (the edge was already resolved, S1 logic), its payload is not carried; the result payload is.',
  },
  {
    name: 'followup-task-activity',
    title:
      'followup_task (assign_agent_task) reported through SubAgentActivity `interacted`; content comes from the invocation `message` argument; the child sees it as a legacy InterAgentCommunication text message (§4.9.1, §4.9.4).',
    expect: 'ok',
    build: () =>
      simpleU((s) => {
        first(s, [fc('fc_f', 'call_follow', 'followup_task', '{"target":"/root/helper","message":"next task"}')]);
        withChild(s);
        s.toolStarted({
          id: 'call_follow',
          turn: 'turn-1',
          kind: { type: 'assign_agent_task' },
          invocation: s.functionInvocation('followup_task', { target: '/root/helper', message: 'next task' }, 'collaboration'),
        });
        s.toolRuntimeEnded('call_follow', 'turn-1', 'completed', {
          model: 'mock-model',
          reasoning_effort: 'medium',
          event_id: 'call_follow',
          occurred_at_ms: 5,
          agent_thread_id: C,
          agent_path: '/root/helper',
          kind: 'interacted',
        });
        s.toolEnded('call_follow', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_follow', '{}')));
        s.turnStarted('turn-c1', C);
        const legacy = msg(
          'assistant',
          JSON.stringify({ author: '/root', recipient: '/root/helper', other_recipients: [], content: 'next task', trigger_turn: true }),
          'msg_legacy',
        );
        s.exchange({
          thread: C,
          turn: 'turn-c1',
          id: 'inf-c1',
          input: [msg('developer', 'child dev', 'msg_cdev'), legacy],
          output: [msg('assistant', 'ok doing it', 'msg_cok')],
        });
        s.turnEnded('turn-c1', 'completed', C);
        s.threadEnded(C);
      }),
    excerpt: edgeExcerpt,
    finding:
      '`interacted` activity on assign_agent_task; a legacy InterAgentCommunication JSON text message in the child is recognized as the delivery target.',
  },
  {
    name: 'spawn-activity-edge-and-fallback',
    title:
      'Two spawn_agent tools reported by SubAgentActivity `started`: one child sees its task as an agent_message (edge→item), one never does (edge falls back to the thread at end of replay) (§4.9.4-5).',
    expect: 'ok',
    build: () =>
      simpleU((s) => {
        first(s, [
          fc('fc_sp1', 'call_sp1', 'spawn_agent', '{"task_name":"helper","message":"count files"}'),
          fc('fc_sp2', 'call_sp2', 'spawn_agent', '{"task_name":"idle","message":"wait here"}'),
        ]);
        s.toolStarted({
          id: 'call_sp1',
          turn: 'turn-1',
          kind: { type: 'spawn_agent' },
          invocation: s.functionInvocation('spawn_agent', { task_name: 'helper', message: 'count files' }, 'collaboration'),
        });
        withChild(s);
        s.turnStarted('turn-c1', C);
        s.toolRuntimeEnded('call_sp1', 'turn-1', 'completed', {
          model: 'mock-model',
          reasoning_effort: 'medium',
          event_id: 'call_sp1',
          occurred_at_ms: 5,
          agent_thread_id: C,
          agent_path: '/root/helper',
          kind: 'started',
        });
        s.toolEnded('call_sp1', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_sp1', '{"task_name":"/root/helper"}')));
        s.toolStarted({
          id: 'call_sp2',
          turn: 'turn-1',
          kind: { type: 'spawn_agent' },
          invocation: s.functionInvocation('spawn_agent', { task_name: 'idle', message: 'wait here' }, 'collaboration'),
        });
        s.threadStarted(IDLE, '/root/idle', s.childMeta(R, '/root/idle', { task_name: 'idle' }));
        s.toolRuntimeEnded('call_sp2', 'turn-1', 'completed', {
          model: 'mock-model',
          reasoning_effort: 'medium',
          event_id: 'call_sp2',
          occurred_at_ms: 6,
          agent_thread_id: IDLE,
          agent_path: '/root/idle',
          kind: 'started',
        });
        s.toolEnded('call_sp2', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_sp2', '{"task_name":"/root/idle"}')));
        const am = agentMsg('amsg_task', '/root', '/root/helper', 'Message Type: NEW_TASK\n', 'count files');
        s.exchange({
          thread: C,
          turn: 'turn-c1',
          id: 'inf-c1',
          input: [msg('developer', 'child dev', 'msg_cdev'), am],
          output: [msg('assistant', 'there are 3 files', 'msg_cres')],
          acceptBefore: ['amsg_task'],
        });
        s.turnEnded('turn-c1', 'completed', C);
        s.threadEnded(C);
        s.threadEnded(IDLE);
      }),
    excerpt: edgeExcerpt,
    finding:
      'As S1: started activity -> spawn edge to the delivered agent_message item; a child that never sees its task -> edge to the thread at end of replay.',
  },
  {
    name: 'spawn-activity-kind-mismatch',
    title: 'A SubAgentActivity `interacted` on a spawn_agent tool (§4.9.4 last row).',
    expect: 'error',
    build: () =>
      simpleU((s) => {
        first(s, [fc('fc_sp1', 'call_sp1', 'spawn_agent', '{"message":"count files"}')]);
        s.toolStarted({
          id: 'call_sp1',
          turn: 'turn-1',
          kind: { type: 'spawn_agent' },
          invocation: s.functionInvocation('spawn_agent', { message: 'count files' }, 'collaboration'),
        });
        withChild(s);
        s.toolRuntimeEnded('call_sp1', 'turn-1', 'completed', {
          model: 'mock-model',
          reasoning_effort: 'medium',
          event_id: 'call_sp1',
          occurred_at_ms: 5,
          agent_thread_id: C,
          agent_path: '/root/helper',
          kind: 'interacted',
        });
        s.threadEnded(C);
      }),
    finding: '`sub-agent activity Interacted does not match tool call kind SpawnAgent` (Rust Debug names in the message).',
  },
  {
    name: 'collab-payload-non-uuid-thread',
    title: 'A send_message runtime payload whose sender/receiver thread ids are not UUIDs (the bundle otherwise uses such ids everywhere).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, [fc('fc_s', 'call_send', 'send_message', '{"target":"thr-child","message":"hi"}')]);
        s.threadStarted('thr-child', '/root/helper', s.childMeta(s.root, '/root/helper'));
        s.toolStarted({
          id: 'call_send',
          turn: 'turn-1',
          kind: { type: 'send_message' },
          invocation: s.functionInvocation('send_message', { target: 'thr-child', message: 'hi' }, 'collaboration'),
        });
        s.toolRuntimeStarted(
          'call_send',
          'turn-1',
          { type: 'send_message' },
          { call_id: 'call_send', started_at_ms: 1, sender_thread_id: s.root, receiver_thread_id: 'thr-child', prompt: 'hi' },
        );
      }),
    finding:
      'SURPRISE: thread ids inside collab runtime payloads must be UUIDs (envelope/thread ids elsewhere need not be); otherwise a bare uuid parse error with no context: `invalid character: expected an optional prefix of urn:uuid: ...`.',
  },
  {
    name: 'collab-payload-missing-field',
    title: 'A close_agent runtime end payload without sender_thread_id (found by the fuzzer).',
    expect: 'error',
    build: () =>
      simpleU((s) => {
        first(s, [fc('fc_c1', 'call_close', 'close_agent', `{"target":"${C}"}`)]);
        withChild(s);
        s.toolStarted({
          id: 'call_close',
          turn: 'turn-1',
          kind: { type: 'close_agent' },
          invocation: s.functionInvocation('close_agent', { target: C }, 'multi_agent_v1'),
        });
        s.toolRuntimeEnded('call_close', 'turn-1', 'completed', {
          call_id: 'call_close',
          completed_at_ms: 2,
          receiver_thread_id: C,
          receiver_agent_nickname: 'Helper',
          status: 'shutdown',
        });
      }),
    finding: 'Bare serde error without context: `missing field `sender_thread_id``. Collab payloads are parsed strictly (typed fields, UUID thread ids).',
  },
  {
    name: 'agent-result-no-child-message',
    title:
      'agent_result_observed when the child produced no plain assistant message in that turn: the source falls back to the child thread; the parent notification arrives via agent_message_payload (§4.9.4).',
    expect: 'ok',
    build: () =>
      simpleU((s) => {
        first(s);
        withChild(s);
        s.turnStarted('turn-c1', C);
        s.exchange({ thread: C, turn: 'turn-c1', id: 'inf-c1', input: [msg('user', 'child task', 'msg_ct')], output: [fc('fc_cx', 'call_cx', 'noop', '{}')] });
        s.turnEnded('turn-c1', 'completed', C);
        const text = 'Message Type: FINAL_ANSWER\nchild finished without a message';
        const carried = s.payload('agent_result', { child_agent_path: '/root/helper', message: text, status: { completed: null } });
        s.event(
          {
            type: 'agent_result_observed',
            edge_id: `edge:agent_result:${C}:turn-c1:${R}`,
            child_thread_id: C,
            child_codex_turn_id: 'turn-c1',
            parent_thread_id: R,
            message: text,
            carried_payload: carried,
          },
          { thread: C, turn: 'turn-c1' },
        );
        s.accept('amsg_res', 'turn-1', R, s.payload('protocol_event', agentMsg('amsg_res', '/root/helper', '/root', text)));
        s.threadEnded(C);
      }),
    excerpt: edgeExcerpt,
    finding: "Source falls back to the child thread; target = the parent's agent_message item from history_item_accepted.agent_message_payload.",
  },
];

// -- terminals

function execRunning(s: Scenario, id = 'call_exec', pid = '4242'): void {
  s.toolStarted({ id, turn: 'turn-1', kind: { type: 'exec_command' }, invocation: s.functionInvocation('exec_command', { cmd: 'cat', tty: true }) });
  s.toolRuntimeStarted(id, 'turn-1', { type: 'exec_command' }, s.execBegin(id, 'turn-1', 'cat', pid));
  s.toolEnded(id, 'turn-1', 'completed', s.directResponse(fco(undefined, id, `Process running with session ID ${pid}`)));
}
function writeStdin(s: Scenario, id: string, args: Record<string, unknown> | string, result: unknown | null, resolve?: string): void {
  s.toolStarted({ id, turn: 'turn-1', kind: { type: 'write_stdin' }, invocation: s.functionInvocation('write_stdin', args) });
  if (resolve) s.event({ type: 'stdin_target_resolved', tool_call_id: id, exec_tool_call_id: resolve }, { thread: s.root, turn: 'turn-1' });
  s.toolEnded(id, 'turn-1', 'completed', result);
}
const calls = (...ids: string[]) => ids.map((id) => fc(`fc_${id}`, id, id.startsWith('call_w') ? 'write_stdin' : 'exec_command', '{}'));

const terminals: SyntheticCase[] = [
  {
    name: 'write-stdin-session-resolution',
    title:
      'write_stdin session choice: wrong session_id + stdin_target_resolved, matching numeric session_id, string session_id, unknown session_id (new session), missing session_id (no operation) (§8.4).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1', 'call_w2', 'call_w3', 'call_w4', 'call_w5'));
        execRunning(s);
        const out = (id: string, t: string) => s.directResponse(fco(undefined, id, t));
        writeStdin(s, 'call_w1', { session_id: 9999, chars: 'a\n' }, out('call_w1', 'one'), 'call_exec');
        writeStdin(s, 'call_w2', { session_id: 4242, chars: 'b\n', yield_time_ms: 100, max_output_tokens: 50 }, out('call_w2', 'two'));
        writeStdin(s, 'call_w3', { session_id: '4242', chars: 'c\n' }, out('call_w3', 'three'));
        writeStdin(s, 'call_w4', { session_id: 7777, chars: 'd\n' }, out('call_w4', 'four'));
        writeStdin(s, 'call_w5', { chars: 'e\n' }, out('call_w5', 'five'), 'call_exec');
      }),
    excerpt: toolExcerpt,
    finding:
      'Resolution order confirmed: stdin_target_resolved wins over a wrong session_id; numeric and string session_id match the exec process id; unknown id -> new session terminal_session:<op>; missing session_id -> no operation, generic summary.',
  },
  {
    name: 'write-stdin-dispatch-results',
    title:
      'Dispatch-only write_stdin results: direct_response with array output, code_mode_response {output, exit_code, chunk_id, original_token_count}, code_mode_response with a non-object value, error result, no result payload (§4.6.2).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1', 'call_w2', 'call_w3', 'call_w4', 'call_w5', 'call_w6'));
        execRunning(s);
        writeStdin(
          s,
          'call_w1',
          { session_id: 4242, chars: 'a' },
          s.directResponse(
            fco(undefined, 'call_w1', [
              { type: 'input_text', text: 'line one' },
              { type: 'input_text', text: 'line two' },
            ]),
          ),
        );
        writeStdin(
          s,
          'call_w2',
          { session_id: 4242, chars: 'b' },
          { type: 'code_mode_response', value: { chunk_id: 'c0ffee', wall_time_seconds: 0.25, exit_code: 3, original_token_count: 7, output: 'cm out\n' } },
        );
        writeStdin(s, 'call_w3', { session_id: 4242, chars: 'c' }, { type: 'code_mode_response', value: 'just a string value' });
        writeStdin(s, 'call_w4', { session_id: 4242, chars: 'd' }, { type: 'error', error: 'write_stdin failed: session closed' });
        writeStdin(s, 'call_w5', { session_id: 4242, chars: 'e' }, null);
        writeStdin(
          s,
          'call_w6',
          { session_id: 4242, chars: 'f' },
          s.directResponse({ type: 'function_call_output', call_id: 'call_w6', output: { structured: [1, 2] } }),
        );
      }),
    excerpt: (st) => ({
      terminal_operations: Object.fromEntries(
        Object.entries<any>(st.terminal_operations).map(([k, v]) => [
          k,
          { tool: v.tool_call_id, kind: v.kind, status: v.execution.status, request: v.request, result: v.result },
        ]),
      ),
    }),
    finding:
      'direct_response array output -> text parts joined with \\n; code_mode_response object -> output/exit_code/chunk_id/original_token_count; string value -> text; error -> stderr + formatted_output; no result payload -> operation ends with result null; object output -> compact JSON.',
  },
  {
    name: 'write-stdin-late-resolution',
    title: 'stdin_target_resolved arriving after the write_stdin tool_call_ended (§8.5 open point).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1'));
        execRunning(s);
        writeStdin(s, 'call_w1', { session_id: 9999, chars: 'a\n' }, s.directResponse(fco(undefined, 'call_w1', 'one')));
        s.event({ type: 'stdin_target_resolved', tool_call_id: 'call_w1', exec_tool_call_id: 'call_exec' }, { thread: s.root, turn: 'turn-1' });
      }),
    excerpt: toolExcerpt,
    finding:
      "SURPRISE: a stdin_target_resolved after tool_call_ended still MOVES the operation into the exec's session, and the session the write_stdin had created (now empty) disappears.",
  },
  {
    name: 'write-stdin-unresolved-shared-session',
    title: 'Two write_stdin calls to the same unknown session_id 9999 (no resolution), then a late stdin_target_resolved for the first one only.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1', 'call_w2'));
        execRunning(s);
        writeStdin(s, 'call_w1', { session_id: 9999, chars: 'a\n' }, s.directResponse(fco(undefined, 'call_w1', 'one')));
        writeStdin(s, 'call_w2', { session_id: 9999, chars: 'b\n' }, s.directResponse(fco(undefined, 'call_w2', 'two')));
        s.event({ type: 'stdin_target_resolved', tool_call_id: 'call_w1', exec_tool_call_id: 'call_exec' }, { thread: s.root, turn: 'turn-1' });
      }),
    excerpt: toolExcerpt,
    finding:
      "Two write_stdin with the same unknown session_id share the session created by the first; a late resolution moves only the first op to the exec session, and the first op's session stays (created_by op 2, operation_ids [op 3]).",
  },
  {
    name: 'stdin-target-unknown-exec',
    title: 'stdin_target_resolved naming an exec tool call that does not exist (found by the fuzzer).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1'));
        execRunning(s);
        writeStdin(s, 'call_w1', { session_id: 4242, chars: 'a' }, s.directResponse(fco(undefined, 'call_w1', 'one')), 'call_nope');
      }),
    finding: '`stdin target referenced unknown exec call_nope`.',
  },
  {
    name: 'write-stdin-invocation-malformed',
    title: 'A write_stdin invocation whose `payload` is `true` instead of a function payload (found by the fuzzer).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1'));
        execRunning(s);
        s.toolStarted({ id: 'call_w1', turn: 'turn-1', kind: { type: 'write_stdin' }, invocation: s.invocation('write_stdin', true) });
      }),
    finding:
      'S1-style strictness kept for the invocation shape: `parse terminal invocation payload raw_payload:7 as dispatch payload` (only a missing session_id is tolerated in S2).',
  },
  {
    name: 'write-stdin-invocation-custom',
    title: 'A write_stdin invocation with a custom (freeform) payload.',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1'));
        execRunning(s);
        s.toolStarted({
          id: 'call_w1',
          turn: 'turn-1',
          kind: { type: 'write_stdin' },
          invocation: s.invocation('write_stdin', { type: 'custom', input: 'x' }),
        });
      }),
    finding: 'Error with cause `write_stdin dispatch payload used unsupported custom payload`.',
  },
  {
    name: 'write-stdin-invocation-no-arguments',
    title: 'A write_stdin invocation with a function payload but no arguments.',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1'));
        execRunning(s);
        s.toolStarted({ id: 'call_w1', turn: 'turn-1', kind: { type: 'write_stdin' }, invocation: s.invocation('write_stdin', { type: 'function' }) });
      }),
    finding: 'Error with cause `write_stdin dispatch payload omitted function arguments`.',
  },
  {
    name: 'write-stdin-invocation-other-tool',
    title: 'A tool of kind write_stdin whose invocation names tool exec_command.',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1'));
        execRunning(s);
        s.toolStarted({
          id: 'call_w1',
          turn: 'turn-1',
          kind: { type: 'write_stdin' },
          invocation: s.functionInvocation('exec_command', { session_id: 4242, chars: 'x' }),
        });
      }),
    finding: 'Error with cause `dispatch terminal request is for exec_command, not write_stdin`.',
  },
  {
    name: 'write-stdin-invocation-namespaced',
    title: 'Tools of kind write_stdin whose invocations are namespaced: one names another tool, one names write_stdin with usable arguments.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1', 'call_w2'));
        execRunning(s);
        s.toolStarted({
          id: 'call_w1',
          turn: 'turn-1',
          kind: { type: 'write_stdin' },
          invocation: s.functionInvocation('resume_agent', { id: 'x' }, 'multi_agent_v1'),
        });
        s.toolStarted({
          id: 'call_w2',
          turn: 'turn-1',
          kind: { type: 'write_stdin' },
          invocation: s.functionInvocation('write_stdin', { session_id: 4242, chars: 'x' }, 'ns'),
        });
      }),
    excerpt: toolExcerpt,
    finding:
      'A namespaced invocation is never a terminal request: no operation and no error, whatever its tool name (found by fuzz:oracle --schema 1; 0.164.0 agrees).',
  },
  {
    name: 'write-stdin-invocation-tolerated',
    title: 'write_stdin invocations that S2 tolerates: arguments that are not JSON, session_id "" and session_id true.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1', 'call_w2', 'call_w3'));
        execRunning(s);
        writeStdin(s, 'call_w1', 'not json', s.directResponse(fco(undefined, 'call_w1', 'one')));
        writeStdin(s, 'call_w2', { session_id: '', chars: 'b' }, s.directResponse(fco(undefined, 'call_w2', 'two')));
        writeStdin(s, 'call_w3', { session_id: true, chars: 'c' }, s.directResponse(fco(undefined, 'call_w3', 'three')));
      }),
    excerpt: toolExcerpt,
    finding:
      'No operation and no error for any of them (S1 errors on all three): an unusable session_id or argument string just means no terminal operation; the summary stays generic.',
  },
  {
    name: 'write-stdin-runtime-events',
    title:
      'A write_stdin tool that also gets tool_call_runtime_started (kind write_stdin, exec-begin payload with interaction_input) and runtime_ended (§8.5 open point).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec', 'call_w1'));
        execRunning(s);
        s.toolStarted({
          id: 'call_w1',
          turn: 'turn-1',
          kind: { type: 'write_stdin' },
          invocation: s.functionInvocation('write_stdin', { session_id: 4242, chars: 'x\n' }),
        });
        s.toolRuntimeStarted('call_w1', 'turn-1', { type: 'write_stdin' }, { ...s.execBegin('call_w1', 'turn-1', 'cat'), interaction_input: 'x\n' });
        s.toolRuntimeEnded('call_w1', 'turn-1', 'completed', s.execEnd('call_w1', 'turn-1', 'cat', 'x\n'));
        s.toolEnded('call_w1', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_w1', 'x')));
      }),
    excerpt: toolExcerpt,
    finding:
      'write_stdin already has its operation from tool_call_started, so a runtime start with kind write_stdin errors: `tool runtime start would create a second terminal operation for call_w1`.',
  },
  {
    name: 'runtime-kind-change',
    title:
      'tool_call_runtime_started.kind replaces the tool kind: an `other` tool whose runtime kind is exec_command (operation made?), and an exec_command tool whose runtime kind is apply_patch (no operation) (§8.2).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_shell', 'call_patchy'));
        s.toolStarted({
          id: 'call_shell',
          turn: 'turn-1',
          kind: { type: 'other', name: 'shell_v9' },
          invocation: s.functionInvocation('shell_v9', { cmd: 'ls' }),
        });
        s.toolRuntimeStarted('call_shell', 'turn-1', { type: 'exec_command' }, s.execBegin('call_shell', 'turn-1', 'ls', '5001'));
        s.toolRuntimeEnded('call_shell', 'turn-1', 'completed', s.execEnd('call_shell', 'turn-1', 'ls', 'a b c\n', 0, '5001'));
        s.toolEnded('call_shell', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_shell', 'a b c')));
        s.toolStarted({ id: 'call_patchy', turn: 'turn-1', kind: { type: 'exec_command' }, invocation: s.functionInvocation('exec_command', { cmd: 'ls' }) });
        s.toolRuntimeStarted('call_patchy', 'turn-1', { type: 'apply_patch' }, { call_id: 'call_patchy', turn_id: 'turn-1', auto_approved: true, changes: {} });
        s.toolRuntimeEnded('call_patchy', 'turn-1', 'completed', {
          call_id: 'call_patchy',
          turn_id: 'turn-1',
          stdout: 'ok',
          stderr: '',
          success: true,
          changes: {},
          status: 'completed',
        });
        s.toolEnded('call_patchy', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_patchy', 'ok')));
      }),
    excerpt: toolExcerpt,
    finding:
      'An `other` tool whose runtime kind is exec_command becomes exec_command and gets an operation + session; an exec_command tool whose runtime kind is apply_patch loses its operation (summary stays generic).',
  },
  {
    name: 'exec-second-runtime-start',
    title: 'Two tool_call_runtime_started events for one exec_command tool (§4.5.2 step 2).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec'));
        s.toolStarted({ id: 'call_exec', turn: 'turn-1', kind: { type: 'exec_command' }, invocation: s.functionInvocation('exec_command', { cmd: 'ls' }) });
        s.toolRuntimeStarted('call_exec', 'turn-1', { type: 'exec_command' }, s.execBegin('call_exec', 'turn-1', 'ls'));
        s.toolRuntimeStarted('call_exec', 'turn-1', { type: 'exec_command' }, s.execBegin('call_exec', 'turn-1', 'ls'));
      }),
    finding: '`tool runtime start would create a second terminal operation for call_exec`.',
  },
  {
    name: 'exec-without-process-id',
    title: 'exec_command begin/end payloads without process_id: operation without terminal_id, session? (§8.5 open point).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec'));
        s.execTool({ id: 'call_exec', turn: 'turn-1', cmd: 'echo hi', output: 'hi\n', processId: null });
      }),
    excerpt: toolExcerpt,
    finding: 'Operation with terminal_id null and NO session (the session needs a process id).',
  },
  {
    name: 'exec-end-s1-shape',
    title: 'An exec end payload in the S1 shape (stdout/stderr/formatted_output, no aggregated_output): which result does S2 build (§4.6.2, §8.4)?',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec'));
        s.toolStarted({ id: 'call_exec', turn: 'turn-1', kind: { type: 'exec_command' }, invocation: s.functionInvocation('exec_command', { cmd: 'ls' }) });
        s.toolRuntimeStarted('call_exec', 'turn-1', { type: 'exec_command' }, s.execBegin('call_exec', 'turn-1', 'ls'));
        s.toolRuntimeEnded('call_exec', 'turn-1', 'completed', {
          call_id: 'call_exec',
          process_id: '4242',
          turn_id: 'turn-1',
          command: ['ls'],
          cwd: '/work',
          stdout: 'out\n',
          stderr: 'err\n',
          formatted_output: 'out\nerr\n',
          exit_code: 0,
          status: 'completed',
        });
        s.toolEnded('call_exec', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_exec', 'out')));
      }),
    excerpt: toolExcerpt,
    finding:
      'SURPRISE: an end payload with stdout/stderr/formatted_output but no aggregated_output gives stdout "", stderr "", formatted_output null: the S1 fields are ignored.',
  },
  {
    name: 'exec-different-process-ids',
    title: 'exec begin says process 100, exec end says process 200 (S1: `changed process id` error, §4.6.2).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_exec'));
        s.toolStarted({ id: 'call_exec', turn: 'turn-1', kind: { type: 'exec_command' }, invocation: s.functionInvocation('exec_command', { cmd: 'ls' }) });
        s.toolRuntimeStarted('call_exec', 'turn-1', { type: 'exec_command' }, s.execBegin('call_exec', 'turn-1', 'ls', '100'));
        s.toolRuntimeEnded('call_exec', 'turn-1', 'completed', s.execEnd('call_exec', 'turn-1', 'ls', 'x', 0, '200'));
      }),
    finding: 'S1 check kept: `terminal operation terminal_operation:1 changed process id from 100 to 200`.',
  },
  {
    name: 'tool-context-from-turn',
    title: 'tool_call_started whose envelope thread_id is null: the thread comes from the envelope turn (§4.5.1 step 2).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s, calls('call_x'));
        s.toolStarted({ id: 'call_x', turn: 'turn-1', thread: null, kind: { type: 'other', name: 'noop' }, invocation: s.functionInvocation('noop', {}) });
        s.toolEnded('call_x', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_x', 'done')), null);
      }),
    excerpt: (st) => ({ tool: pick(st.tool_calls.call_x, ['thread_id', 'started_by_codex_turn_id', 'model_visible_call_item_ids']) }),
    finding: 'Envelope thread null -> thread from the envelope turn.',
  },
];

// ---------------------------------------------------------------------------
// G. code cells

const cellExcerpt = (st: any) => ({
  code_cells: Object.fromEntries(
    Object.entries<any>(st.code_cells).map(([k, v]) => [
      k,
      pick(v, [
        'thread_id',
        'source_item_id',
        'output_item_ids',
        'runtime_cell_id',
        'execution',
        'runtime_status',
        'initial_response_seq',
        'initial_response_status',
        'raw_initial_response_payload_id',
        'raw_result_payload_id',
        'yielded_seq',
        'nested_tool_call_ids',
        'wait_tool_call_ids',
      ]),
    ]),
  ),
  tool_calls: Object.fromEntries(
    Object.entries<any>(st.tool_calls).map(([k, v]) => [k, { requester: v.requester, started_code_cell_id: v.started_code_cell_id ?? null }]),
  ),
});

const cells: SyntheticCase[] = [
  {
    name: 'code-cell-queued-start',
    title:
      'A fast code cell: code_cell_started, a nested tool, initial response and end all arrive before the response that contains the `exec` call; the cell is queued, then materialized with its lifecycle replayed (§4.7.2).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({ turn: 'turn-1', id: 'inf-1', input: [DEV, U1], acceptBefore: ['msg_dev', 'msg_u1'], end: 'none' });
        s.cellStarted('1', 'call_exec', 'text("hi")', 'turn-1');
        s.toolStarted({
          id: 'nested-1',
          turn: 'turn-1',
          modelVisibleCallId: null,
          runtimeToolId: 'tool-1',
          requester: { type: 'code_cell', runtime_cell_id: '1' },
          kind: { type: 'other', name: 'view_image' },
          invocation: s.functionInvocation('view_image', { path: 'a.png' }),
        });
        s.toolEnded('nested-1', 'turn-1', 'completed', { type: 'code_mode_response', value: { ok: true } });
        s.cellInitial('1', 'completed', 'turn-1');
        s.cellEnded('1', 'completed', 'turn-1');
        s.inferenceCompleted('inf-1', 'turn-1', 'resp-inf-1', s.response('resp-inf-1', [ctc('ctc_exec', 'call_exec', 'exec', 'text("hi")')]));
        s.accept('ctc_exec', 'turn-1');
        s.exchange({
          turn: 'turn-1',
          id: 'inf-2',
          input: [DEV, U1, ctc('ctc_exec', 'call_exec', 'exec', 'text("hi")'), ctco('ctco_exec', 'call_exec', [{ type: 'input_text', text: 'hi' }])],
          output: [A2],
          acceptBefore: ['ctco_exec'],
        });
      }),
    excerpt: cellExcerpt,
    finding:
      'As S1: queued start materialized when the exec item appears; lifecycle replayed (start seq 7, initial 10, end 11); the nested tool is backfilled.',
  },
  {
    name: 'code-cell-never-materialized',
    title: 'A code cell whose `exec` call item never appears: the queued start (and a nested tool naming it) at end of replay (§4.7.2: dropped silently).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.cellStarted('7', 'call_ghost_exec', 'text("x")', 'turn-1');
        s.toolStarted({
          id: 'nested-7',
          turn: 'turn-1',
          modelVisibleCallId: null,
          runtimeToolId: 'tool-1',
          requester: { type: 'code_cell', runtime_cell_id: '7' },
          kind: { type: 'other', name: 'noop' },
          invocation: s.functionInvocation('noop', {}),
        });
        s.toolEnded('nested-7', 'turn-1', 'completed', { type: 'code_mode_response', value: null });
        s.cellInitial('7', 'yielded', 'turn-1');
      }),
    excerpt: cellExcerpt,
    finding: "As S1: never materialized -> no cell, no error; the nested tool's requester still names code_cell:call_ghost_exec.",
  },
  {
    name: 'code-cell-unmaterialized-exec-tool',
    title:
      'The `exec` tool call and its code_cell_started name call id call_x, but no custom_tool_call item with that call id ever appears (found by the fuzzer).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        first(s);
        s.toolStarted({
          id: 'call_x',
          turn: 'turn-1',
          kind: { type: 'other', name: 'exec' },
          invocation: s.invocation('exec', { type: 'custom', input: 'text(1)' }),
        });
        s.cellStarted('1', 'call_x', 'text(1)', 'turn-1');
        s.cellEnded('1', 'completed', 'turn-1');
        s.toolEnded('call_x', 'turn-1', 'completed', s.directResponse(ctco(undefined, 'call_x', 'done')));
      }),
    excerpt: cellExcerpt,
    finding: 'No cell, and the `exec` tool call gets NO started_code_cell_id: it is set only when the cell materializes.',
  },
  {
    name: 'code-cell-initial-after-end',
    title: 'code_cell_initial_response arriving after code_cell_ended (found by the fuzzer).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, U1],
          output: [ctc('ctc_exec', 'call_exec', 'exec', 'text(1)')],
          acceptBefore: ['msg_dev', 'msg_u1'],
        });
        s.toolStarted({
          id: 'call_exec',
          turn: 'turn-1',
          kind: { type: 'other', name: 'exec' },
          invocation: s.invocation('exec', { type: 'custom', input: 'text(1)' }),
        });
        s.cellStarted('1', 'call_exec', 'text(1)', 'turn-1');
        s.cellEnded('1', 'completed', 'turn-1');
        s.cellInitial('1', 'yielded', 'turn-1');
        s.toolEnded('call_exec', 'turn-1', 'completed', s.directResponse(ctco(undefined, 'call_exec', 'done')));
      }),
    excerpt: cellExcerpt,
    finding:
      'A late initial response still overwrites initial_response_* (seq 12, status yielded, payload) and sets yielded_*, and even sets runtime_status back to yielded; the execution window stays completed at seq 11.',
  },
  {
    name: 'code-cell-initial-twice',
    title: 'Two code_cell_initial_response events for one cell, the second running (found by fuzz:oracle --schema 3).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, U1],
          output: [ctc('ctc_exec', 'call_exec', 'exec', 'text(1)')],
          acceptBefore: ['msg_dev', 'msg_u1'],
        });
        s.toolStarted({
          id: 'call_exec',
          turn: 'turn-1',
          kind: { type: 'other', name: 'exec' },
          invocation: s.invocation('exec', { type: 'custom', input: 'text(1)' }),
        });
        s.cellStarted('1', 'call_exec', 'text(1)', 'turn-1');
        s.cellInitial('1', 'yielded', 'turn-1');
        s.cellInitial('1', 'running', 'turn-1');
        s.cellEnded('1', 'completed', 'turn-1');
        s.toolEnded('call_exec', 'turn-1', 'completed', s.directResponse(ctco(undefined, 'call_exec', 'done')));
      }),
    excerpt: cellExcerpt,
    finding: 'The first initial response keeps initial_response_* and yielded_*; the second only sets runtime_status (until the end sets it again).',
  },
  {
    name: 'code-cell-started-before-exec-tool',
    title: 'code_cell_started (exec call item already known) arrives before the `exec` tool_call_started (found by the fuzzer).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, U1],
          output: [ctc('ctc_exec', 'call_exec', 'exec', 'text(1)')],
          acceptBefore: ['msg_dev', 'msg_u1'],
        });
        s.cellStarted('1', 'call_exec', 'text(1)', 'turn-1');
        s.toolStarted({
          id: 'call_exec',
          turn: 'turn-1',
          kind: { type: 'other', name: 'exec' },
          invocation: s.invocation('exec', { type: 'custom', input: 'text(1)' }),
        });
        s.cellEnded('1', 'completed', 'turn-1');
        s.toolEnded('call_exec', 'turn-1', 'completed', s.directResponse(ctco(undefined, 'call_exec', 'done')));
      }),
    excerpt: cellExcerpt,
    finding:
      'started_code_cell_id is set on the exec tool either way round: when the cell materializes and the tool exists, or when the tool starts and the cell already exists (but never for a cell that does not exist, see code-cell-unmaterialized-exec-tool).',
  },
  {
    name: 'code-cell-same-runtime-id-two-threads',
    title: 'Runtime cell id "1" used in the root thread and in a child thread: two different cells (§4.7.1).',
    expect: 'ok',
    build: () => {
      const s = new Scenario();
      s.begin('turn-1');
      withChild(s);
      s.turnStarted('turn-c1', C);
      s.exchange({
        turn: 'turn-1',
        id: 'inf-1',
        input: [DEV, U1],
        output: [ctc('ctc_r', 'call_root_exec', 'exec', 'text(1)')],
        acceptBefore: ['msg_dev', 'msg_u1'],
      });
      s.exchange({
        thread: C,
        turn: 'turn-c1',
        id: 'inf-c1',
        input: [msg('user', 'child task', 'msg_ct')],
        output: [ctc('ctc_c', 'call_child_exec', 'exec', 'text(2)')],
      });
      s.cellStarted('1', 'call_root_exec', 'text(1)', 'turn-1');
      s.cellStarted('1', 'call_child_exec', 'text(2)', 'turn-c1', C);
      s.cellEnded('1', 'completed', 'turn-c1', C);
      s.cellEnded('1', 'failed', 'turn-1');
      s.turnEnded('turn-c1', 'completed', C);
      s.turnEnded('turn-1');
      s.finish({ threads: [C, s.root] });
      return s.build();
    },
    excerpt: cellExcerpt,
    finding:
      'Two cells for runtime id "1". An end without an initial response sets initial_response_at/seq from the end but leaves initial_response_status and raw_initial_response_payload_id null.',
  },
  {
    name: 'code-cell-unknown-runtime-id',
    title: 'code_cell_ended for a runtime cell id that was never started (§4.7.3).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s);
        s.cellEnded('42', 'completed', 'turn-1');
      }),
    finding: '`code cell end referenced unknown runtime cell 42 in thread thr-root`.',
  },
  {
    name: 'code-cell-null-payloads-and-wait',
    title:
      'Cell lifecycle events with null response payloads (end without initial response); a `wait` tool whose cell_id argument names the cell (§4.5.1 step 7, §8.3).',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          input: [DEV, U1],
          output: [ctc('ctc_exec', 'call_exec', 'exec', 'slow()'), fc('fc_wait', 'call_wait', 'wait', '{"cell_id":"3"}')],
          acceptBefore: ['msg_dev', 'msg_u1'],
        });
        s.toolStarted({
          id: 'call_exec',
          turn: 'turn-1',
          kind: { type: 'other', name: 'exec' },
          invocation: s.invocation('exec', { type: 'custom', input: 'slow()' }),
        });
        s.cellStarted('3', 'call_exec', 'slow()', 'turn-1');
        s.cellInitial('3', 'yielded', 'turn-1', s.root, null);
        s.toolEnded('call_exec', 'turn-1', 'completed', s.directResponse(ctco(undefined, 'call_exec', 'running')));
        s.toolStarted({
          id: 'call_wait',
          turn: 'turn-1',
          kind: { type: 'other', name: 'wait' },
          invocation: s.functionInvocation('wait', { cell_id: '3', yield_time_ms: 1000 }),
        });
        s.cellEnded('3', 'completed', 'turn-1', s.root, null);
        s.toolEnded('call_wait', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_wait', 'done')));
      }),
    excerpt: cellExcerpt,
    finding: 'Null lifecycle payloads give null raw_*_payload_id; the wait tool is linked by its cell_id argument.',
  },
  {
    name: 'wait-tool-invalid-arguments',
    title: 'A `wait` tool whose function arguments are not JSON (S1: error, §4.5.1 step 7).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, [fc('fc_wait', 'call_wait', 'wait', 'not json')]);
        s.toolStarted({ id: 'call_wait', turn: 'turn-1', kind: { type: 'other', name: 'wait' }, invocation: s.functionInvocation('wait', 'not json') });
        s.toolEnded('call_wait', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_wait', 'bad args')));
      }),
    finding: 'S1 check kept: `wait tool request payload raw_payload:4 had invalid JSON arguments`.',
  },
  {
    name: 'wait-tool-unknown-cell',
    title: 'A `wait` tool whose cell_id names no known cell, and one whose arguments lack cell_id (S1: error for the latter).',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, [fc('fc_wait', 'call_wait', 'wait', '{"cell_id":"99"}'), fc('fc_wait2', 'call_wait2', 'wait', '{"yield_time_ms":5}')]);
        s.toolStarted({ id: 'call_wait', turn: 'turn-1', kind: { type: 'other', name: 'wait' }, invocation: s.functionInvocation('wait', { cell_id: '99' }) });
        s.toolEnded('call_wait', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_wait', 'no such cell')));
        s.toolStarted({
          id: 'call_wait2',
          turn: 'turn-1',
          kind: { type: 'other', name: 'wait' },
          invocation: s.functionInvocation('wait', { yield_time_ms: 5 }),
        });
      }),
    finding: 'An unknown cell_id is fine; arguments without cell_id error: `wait tool request payload raw_payload:6 did not contain cell_id`.',
  },
];

// ---------------------------------------------------------------------------
// H. payload reading

const payloads: SyntheticCase[] = [
  {
    name: 'protocol-event-payload-missing',
    title: 'A protocol_event_observed whose payload file does not exist (is it read?).',
    expect: 'error',
    build: () =>
      simple((s) => {
        s.protocolEvent('warning', MISSING);
        first(s);
      }),
    finding: 'Protocol payloads ARE read: `read payload raw_payload:2 / No such file or directory` (verb `read`, not `open`).',
  },
  {
    name: 'protocol-event-payload-invalid-json',
    title: 'A protocol_event_observed whose payload file is not JSON (is it parsed?).',
    expect: 'error',
    build: () =>
      simple((s) => {
        s.protocolEvent('warning', raw('{"type":"warning", this is not json'));
        first(s);
      }),
    excerpt: (st) => ({ raw_payloads: st.raw_payloads }),
    finding: 'SURPRISE: every referenced payload must be valid JSON, even ones the reducer never uses: `invalid payload raw_payload:2` (verb `invalid`).',
  },
  {
    name: 'tool-result-payload-missing-unused',
    title: 'The result payload file of a non-terminal tool (whose result the reducer does not need) is missing.',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_x'));
        s.toolStarted({ id: 'call_x', turn: 'turn-1', kind: { type: 'other', name: 'noop' }, invocation: s.functionInvocation('noop', {}) });
        s.toolEnded('call_x', 'turn-1', 'completed', MISSING);
      }),
    finding: '`read payload raw_payload:5` for a result nobody needs.',
  },
  {
    name: 'tool-result-payload-invalid-json-unused',
    title: 'The result payload file of a non-terminal tool is not JSON.',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_x'));
        s.toolStarted({ id: 'call_x', turn: 'turn-1', kind: { type: 'other', name: 'noop' }, invocation: s.functionInvocation('noop', {}) });
        s.toolEnded('call_x', 'turn-1', 'completed', raw('not json {'));
      }),
    excerpt: (st) => ({ tool: pick(st.tool_calls.call_x, ['raw_result_payload_id', 'execution']) }),
    finding: '`invalid payload raw_payload:5`.',
  },
  {
    name: 'tool-invocation-payload-invalid-json-unused',
    title: 'The invocation payload of a plain `other` tool is not JSON.',
    expect: 'error',
    build: () =>
      simple((s) => {
        first(s, calls('call_x'));
        s.toolStarted({ id: 'call_x', turn: 'turn-1', kind: { type: 'other', name: 'noop' }, invocation: raw('{{{') });
        s.toolEnded('call_x', 'turn-1', 'completed', s.directResponse(fco(undefined, 'call_x', 'ok')));
      }),
    excerpt: (st) => ({ tool: pick(st.tool_calls.call_x, ['raw_invocation_payload_id', 'execution']) }),
    finding: 'The invocation of every tool is parsed: `parse payload raw_payload:4` (verb `parse` = a payload the reducer reads for content).',
  },
  {
    name: 'session-metadata-invalid-json',
    title: 'thread_started whose session_metadata payload is not JSON (§4.1 step 2).',
    expect: 'error',
    build: () => {
      const s = new Scenario();
      s.rolloutStarted();
      const ref = s.payload('session_metadata', raw('nope'));
      s.event({ type: 'thread_started', thread_id: s.root, agent_path: '/root', metadata_payload: ref });
      s.turnStarted('turn-1');
      first(s);
      s.turnEnded('turn-1');
      return s.finish().build();
    },
    finding: '`parse payload raw_payload:1`.',
  },
  {
    name: 'payload-ref-path-vs-id',
    title: 'A ref whose raw_payload_id says 2 but whose path says payloads/9.json (9 holds the real request, 2 holds garbage): which file is opened?',
    expect: 'ok',
    build: () =>
      simple((s) => {
        const req = s.request([DEV, U1]);
        const ref = s.payload('inference_request', raw('garbage, not a request'));
        s.setFile('payloads/9.json', JSON.stringify(req, null, 2));
        s.accept('msg_dev', 'turn-1');
        s.accept('msg_u1', 'turn-1');
        s.event(
          {
            type: 'inference_started',
            inference_call_id: 'inf-1',
            thread_id: s.root,
            codex_turn_id: 'turn-1',
            model: 'mock-model',
            provider_name: 'mock',
            request_payload: { ...ref, path: 'payloads/9.json' },
          },
          { thread: s.root, turn: 'turn-1' },
        );
        s.inferenceCompleted('inf-1', 'turn-1', 'resp-inf-1', s.response('resp-inf-1', [A1]));
        s.accept('msg_a1', 'turn-1');
      }),
    excerpt: (st) => ({ raw_payloads: st.raw_payloads, windows: windows(st) }),
    finding: "The file is opened by the ref's `path` (payloads/9.json), not by the id; raw_payloads keeps the path as written.",
  },
  {
    name: 'payload-ref-kind-ignored',
    title:
      'An inference_started whose request ref has kind tool_result instead of inference_request (is the kind checked?); the same payload id referenced twice with different kinds.',
    expect: 'ok',
    build: () =>
      simple((s) => {
        s.accept('msg_dev', 'turn-1');
        s.accept('msg_u1', 'turn-1');
        const ref = s.payload('tool_result', s.request([DEV, U1]));
        s.event(
          {
            type: 'inference_started',
            inference_call_id: 'inf-1',
            thread_id: s.root,
            codex_turn_id: 'turn-1',
            model: 'mock-model',
            provider_name: 'mock',
            request_payload: ref,
          },
          { thread: s.root, turn: 'turn-1' },
        );
        s.inferenceCompleted('inf-1', 'turn-1', 'resp-inf-1', s.response('resp-inf-1', [A1]));
        s.event({ type: 'protocol_event_observed', event_type: 'warning', event_payload: { ...ref, kind: { type: 'protocol_event' } } });
      }),
    excerpt: (st) => ({ raw_payloads: st.raw_payloads }),
    finding:
      'The ref kind is not checked (a tool_result-kind ref works as an inference request); one id referenced with two kinds -> raw_payloads keeps the LAST ref seen.',
  },
  {
    name: 'payload-bom-and-whitespace',
    title: 'A request payload file that starts with a UTF-8 BOM.',
    expect: 'error',
    build: () =>
      simple((s) => {
        s.exchange({
          turn: 'turn-1',
          id: 'inf-1',
          request: raw('\ufeff' + JSON.stringify(s.request([DEV, U1]))),
          output: [A1],
          acceptBefore: ['msg_dev', 'msg_u1'],
        });
      }),
    finding: 'A UTF-8 BOM at the start of a payload is a parse error (`expected value at line 1 column 1`).',
  },
];

export const CASES: SyntheticCase[] = [...conversation, ...jsonCases, ...inference, ...compaction, ...admission, ...tools, ...terminals, ...cells, ...payloads];
