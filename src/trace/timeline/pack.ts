/**
 * Lane packing: put intervals into the fewest lanes such that the intervals
 * inside one lane never overlap (greedy interval partitioning, optimal for
 * intervals sorted by start). Pure TS; works on index lists into typed arrays.
 *
 * Two intervals may share a lane when one ends exactly where the next starts.
 * Zero-length intervals (instants) are given a minimum length `minGap` for
 * packing purposes so that two instants at the same time do not share a lane.
 */

/** `idx` sorted by start (then longer first, then index), in place. */
export function sortByStart(idx: number[], start: Float64Array, end: Float64Array): number[] {
  return idx.sort((a, b) => start[a] - start[b] || end[b] - end[a] || a - b);
}

/**
 * Assign each interval to a lane. Returns the lanes, each a list of indices in
 * start order. The intervals must be sorted by start (see `sortByStart`).
 */
export function packLanes(sorted: readonly number[], start: Float64Array, end: Float64Array, minGap = 0): number[][] {
  const lanes: number[][] = [];
  const laneEnd: number[] = [];
  for (const i of sorted) {
    const s = start[i];
    const e = Math.max(end[i], s + minGap);
    let placed = -1;
    for (let l = 0; l < laneEnd.length; l++) {
      if (laneEnd[l] <= s) {
        placed = l;
        break;
      }
    }
    if (placed < 0) {
      placed = lanes.length;
      lanes.push([]);
      laneEnd.push(-Infinity);
    }
    lanes[placed].push(i);
    laneEnd[placed] = e;
  }
  return lanes;
}

export interface Block {
  start: number;
  end: number;
  /** Number of lanes the block needs. */
  height: number;
}

/**
 * Pack blocks that are several lanes tall (e.g. a terminal session whose
 * operations overlap each other). Blocks must be sorted by start. Returns the
 * first lane of each block and the total lane count.
 */
export function packBlocks(blocks: readonly Block[]): { base: number[]; lanes: number } {
  const laneEnd: number[] = [];
  const base: number[] = [];
  for (const b of blocks) {
    let L = 0;
    for (;;) {
      let ok = true;
      for (let k = 0; k < b.height; k++) {
        const e = laneEnd[L + k];
        if (e !== undefined && e > b.start) {
          ok = false;
          break;
        }
      }
      if (ok) break;
      L++;
    }
    for (let k = 0; k < b.height; k++) laneEnd[L + k] = Math.max(b.end, b.start);
    base.push(L);
  }
  return { base, lanes: laneEnd.length };
}
