/**
 * Composite payload records (schema 3) whose skeleton is known to be JSON,
 * recognised by their bytes.
 *
 * A composite record is a JSON array of text fragments, one more than its
 * parts. A prepared prompt's is `["{\"input\":[", ",", …, ",", "<rest>"]`:
 * its items are the parts, and the rest is about 31 KB of instructions and
 * tools. The next prompt of the thread is the same record with more bare-comma
 * fragments. Checking each one meant decoding and parsing the record, then
 * parsing the skeleton (the fragments with a plain value in each part's
 * place): about 150 ms of the 66 MB LONG_STEPS=1000 recording's reduction.
 *
 * With every separator a bare comma, the parts are elements of one array (or
 * all inside one string), so whether the skeleton is JSON does not depend on
 * how many parts there are, two or more; one part is its own case. A record
 * whose bytes are a known one's first fragment, bare commas for its parts,
 * and the same last fragment is therefore a well-formed fragment array of the
 * right length whose skeleton is JSON, without being read again.
 */

import { commonBytePrefix } from '../json/window';

/** `,","`: a bare-comma fragment and the comma before it, as the record encodes them. */
const SEP = [0x2c, 0x22, 0x2c, 0x22];
/** Distinct skeletons kept: a session's prompts share a handful (one per model, instructions and tool set). */
const KEPT = 16;

interface Skeleton {
  /** `[` and the first fragment. */
  head: Uint8Array;
  /**
   * `,`, the last fragment and `]`: four copies, the one at index `a` starting
   * at an address of that remainder by 4, so that it is compared a word at a
   * time with a record at any offset.
   */
  tails: Uint8Array[];
  /** Known for two or more parts; else for exactly one. */
  many: boolean;
}

export class KnownSkeletons {
  private readonly known: Skeleton[] = [];

  /** Whether `record`, the fragments of a composite of `parts` parts, is a known record with a JSON skeleton. */
  has(record: Uint8Array, parts: number): boolean {
    for (const s of this.known) {
      const tailLength = s.tails[0].length;
      if (s.many !== parts > 1 || record.length !== s.head.length + SEP.length * (parts - 1) + tailLength) continue;
      const tailAt = record.length - tailLength;
      if (matches(record, s.head, 0) && separators(record, s.head.length, parts - 1) && matches(record, s.tails[(record.byteOffset + tailAt) & 3], tailAt))
        return true;
    }
    return false;
  }

  /**
   * Keeps `record` (a fragment array of `parts + 1` fragments, just found
   * well formed, with a JSON skeleton) when its separators are bare commas,
   * encoded as Codex writes them.
   */
  add(record: Uint8Array, parts: number): void {
    if (parts < 1 || record[0] !== 0x5b || record[1] !== 0x22) return;
    const headEnd = stringEnd(record, 2);
    if (headEnd < 0) return;
    const tailStart = headEnd + SEP.length * (parts - 1);
    if (!separators(record, headEnd, parts - 1) || record[tailStart] !== 0x2c) return;
    if (this.known.length >= KEPT) this.known.shift();
    const tail = record.subarray(tailStart);
    const tails = [0, 1, 2, 3].map((a) => {
      const copy = new Uint8Array(tail.length + 3).subarray(a, a + tail.length);
      copy.set(tail);
      return copy;
    });
    this.known.push({ head: record.slice(0, headEnd), tails, many: parts > 1 });
  }
}

/** Just past the `"` that closes the JSON string whose text starts at `from`; -1 when it does not close. */
function stringEnd(b: Uint8Array, from: number): number {
  for (let i = from; i < b.length; i++) {
    if (b[i] === 0x5c) i++;
    else if (b[i] === 0x22) return i + 1;
  }
  return -1;
}

/** Whether `b` holds `want` at `at` (a tail is 31 KB, compared once per prompt: a word at a time when aligned alike). */
function matches(b: Uint8Array, want: Uint8Array, at: number): boolean {
  return commonBytePrefix(b.subarray(at, at + want.length), want) === want.length;
}

function separators(b: Uint8Array, at: number, count: number): boolean {
  if (at + SEP.length * count > b.length) return false;
  for (let k = 0; k < count; k++, at += SEP.length) if (b[at] !== SEP[0] || b[at + 1] !== SEP[1] || b[at + 2] !== SEP[2] || b[at + 3] !== SEP[3]) return false;
  return true;
}
