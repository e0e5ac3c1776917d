/**
 * DEV-ONLY fixture harness: `?fixture=<name>` loads test/fixtures/traces/<name>/state.json
 * straight into the store (no reducer, no worker) and serves its payloads and
 * a simple search from the same folder. For looking at the UI before/without
 * the data path. Compiled out of production builds (HARNESS_ENABLED is a
 * build-time constant) unless built with VITE_FIXTURE_HARNESS=1.
 */
import { useStore } from '../store';
import { ManifestSchema } from '../trace/schema/manifest';
import { RolloutTraceSchema, type RolloutTrace } from '../trace/schema/state';
import type { SearchHit, TraceServices } from './services';

export const HARNESS_ENABLED: boolean = import.meta.env.DEV || import.meta.env.VITE_FIXTURE_HARNESS === '1';

export function harnessFixtureName(search: string = window.location.search): string | null {
  if (!HARNESS_ENABLED) return null;
  const name = new URLSearchParams(search).get('fixture');
  return name && /^[\w.-]+$/.test(name) ? name : null;
}

function localSearch(state: RolloutTrace, query: string, limit: number): SearchHit[] {
  const q = query.toLowerCase();
  const hits: SearchHit[] = [];
  const snippet = (text: string) => {
    const i = text.toLowerCase().indexOf(q);
    const from = Math.max(0, i - 40);
    return `${from > 0 ? '…' : ''}${text.slice(from, i + q.length + 80).replace(/\s+/g, ' ')}`;
  };
  for (const it of Object.values(state.conversation_items)) {
    const text = it.body.parts
      .map((p) => (p.type === 'text' || p.type === 'summary' ? p.text : p.type === 'json' ? p.summary : p.type === 'code' ? p.source : ''))
      .join('\n');
    if (text.toLowerCase().includes(q)) hits.push({ kind: 'conversation_item', id: it.item_id, threadId: it.thread_id, snippet: snippet(text) });
    if (hits.length >= limit) return hits;
  }
  for (const t of Object.values(state.tool_calls)) {
    const text = JSON.stringify(t.summary);
    if (t.tool_call_id.toLowerCase().includes(q) || text.toLowerCase().includes(q))
      hits.push({ kind: 'tool_call', id: t.tool_call_id, threadId: t.thread_id, snippet: snippet(text) });
    if (hits.length >= limit) break;
  }
  return hits;
}

/** Loads a fixture into the store and returns services reading from the same folder. */
export async function loadHarnessFixture(name: string, base?: string): Promise<TraceServices> {
  const root = base ?? new URLSearchParams(window.location.search).get('fixtureBase') ?? (import.meta.env.DEV ? '/test/fixtures/traces/' : 'fixtures/');
  const url = (p: string) => new URL(`${root}${name}/${p}`, document.baseURI).href;
  const store = useStore.getState();
  store.beginLoad({ label: name });
  try {
    const [stateRes, manifestRes] = await Promise.all([fetch(url('state.json')), fetch(url('manifest.json'))]);
    if (!stateRes.ok) throw new Error(`${url('state.json')}: HTTP ${stateRes.status}`);
    const state = RolloutTraceSchema.parse(await stateRes.json());
    const manifest = manifestRes.ok ? ManifestSchema.parse(await manifestRes.json()) : null;
    useStore.getState().finishLoad({ label: name, manifest, state, error: null, diagnostics: [], bundleKey: `fixture:${name}` });
    return {
      readPayload: async (path) => {
        const r = await fetch(url(path));
        if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
        return r.json();
      },
      search: async (query, limit = 50) => localSearch(state, query, limit),
    };
  } catch (e) {
    useStore.getState().failLoad({ label: name, error: { file: 'state.json', line: null, seq: null, message: e instanceof Error ? e.message : String(e), causes: [] } });
    throw e;
  }
}
