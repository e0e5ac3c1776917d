/**
 * A followed bundle's state, sent to the page as what changed since the last
 * update rather than whole. A long session's state is megabytes (a
 * LONG_STEPS=1000 recording: 9.5 MB, in records of thousands of entries)
 * while an update changes a few hundred entries; parsing all of it again on
 * the page, several times a second, kept the page's thread busy for as long
 * as Codex wrote. The worker keeps the JSON of each entry it last sent
 * (StateChangeTracker) and sends the entries whose JSON differs; the page
 * builds the new state from the one it holds (applyStateChange), parsing
 * only those, and records nothing changed in stay the same objects. Pure.
 */
import { z } from 'zod';
import { isRecord, setOwn } from '../trace/objects';

const Pair = z.tuple([z.string(), z.string()]);

export const StateChangeSchema = z.object({
  /** The state's top-level fields, in order. */
  keys: z.array(z.string()),
  /** Fields sent whole, as JSON: values that are not records, and records the page does not hold yet. */
  whole: z.array(Pair),
  /** Records changed entry by entry. */
  records: z.array(
    z.object({
      key: z.string(),
      /** Each entry changed or added, as JSON. */
      changed: z.array(Pair),
      /**
       * The record's ids in order, when they are not the ones before in the
       * same order (entries added, which the reducer files in id order, or
       * removed); null when they are.
       */
      ids: z.array(z.string()).nullable(),
    }),
  ),
});
export type StateChange = z.infer<typeof StateChangeSchema>;

type Sent = { record: Map<string, string> } | { json: string };

/** A record's JSON from its entries' JSON (the same value JSON.stringify gives the record). */
function recordJson(entries: Map<string, string>): string {
  let out = '{';
  for (const [id, json] of entries) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(id)}:${json}`;
  return `${out}}`;
}

/** Whether `before` holds exactly the ids `now`, in that order. */
function sameIds(before: Map<string, string>, now: readonly string[]): boolean {
  if (before.size !== now.length) return false;
  let i = 0;
  for (const id of before.keys()) if (now[i++] !== id) return false;
  return true;
}

/** The worker's side: what it last sent, and what changed since. */
export class StateChangeTracker {
  private sent = new Map<string, Sent>();

  /** The change from the state last sent (all of it, the first time) to `state`, which becomes the state sent. */
  change(state: object): StateChange {
    const next = new Map<string, Sent>();
    const change: StateChange = { keys: [], whole: [], records: [] };
    for (const [key, value] of Object.entries(state)) {
      change.keys.push(key);
      const before = this.sent.get(key);
      if (!isRecord(value)) {
        const json = JSON.stringify(value) ?? 'null';
        next.set(key, { json });
        if (!before || !('json' in before) || before.json !== json) change.whole.push([key, json]);
        continue;
      }
      const ids = Object.keys(value);
      const record = new Map<string, string>();
      const held = before !== undefined && 'record' in before ? before.record : null;
      const changed: [string, string][] = [];
      for (const id of ids) {
        const json = JSON.stringify(value[id]) ?? 'null';
        record.set(id, json);
        if (held && held.get(id) !== json) changed.push([id, json]);
      }
      next.set(key, { record });
      if (!held) change.whole.push([key, recordJson(record)]);
      else {
        const reordered = !sameIds(held, ids);
        if (changed.length || reordered) change.records.push({ key, changed, ids: reordered ? ids : null });
      }
    }
    this.sent = next;
    return change;
  }

  /** The state last sent, parsed again from its JSON (a copy: the reducer's own objects go on changing). */
  state(): Record<string, unknown> {
    return Object.fromEntries([...this.sent].map(([key, s]) => [key, JSON.parse('json' in s ? s.json : recordJson(s.record)) as unknown]));
  }
}

/**
 * The page's side: the state after `change`, from the state `before` it
 * (the one the previous change gave). Fields and records that did not change
 * are `before`'s own objects. Throws on a change that does not fit `before`.
 */
export function applyStateChange(before: Record<string, unknown> | null, change: StateChange): Record<string, unknown> {
  const whole = new Map(change.whole);
  const records = new Map(change.records.map((r) => [r.key, r]));
  const after: Record<string, unknown> = {};
  for (const key of change.keys) {
    const json = whole.get(key);
    if (json !== undefined) {
      setOwn(after, key, JSON.parse(json));
      continue;
    }
    const old = before && Object.hasOwn(before, key) ? before[key] : undefined;
    if (old === undefined) throw new Error(`a live update changes the field "${key}", which the state shown does not have`);
    const change = records.get(key);
    if (!change) {
      setOwn(after, key, old);
      continue;
    }
    if (!isRecord(old)) throw new Error(`a live update changes entries of "${key}", which is not a record in the state shown`);
    const changed = new Map(change.changed);
    let record: Record<string, unknown>;
    if (change.ids) {
      record = {};
      for (const id of change.ids) {
        const json = changed.get(id);
        if (json === undefined && !Object.hasOwn(old, id))
          throw new Error(`a live update keeps the entry "${id}" of "${key}", which the state shown does not have`);
        setOwn(record, id, json === undefined ? old[id] : JSON.parse(json));
      }
    } else {
      // Spread keeps the entries' order and defines each as an own property; changed ones keep their places.
      record = { ...old };
      for (const [id, json] of changed) setOwn(record, id, JSON.parse(json));
    }
    setOwn(after, key, record);
  }
  return after;
}
