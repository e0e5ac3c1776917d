/** Maps of lists (key → values in arrival order), as the reducer and the indexes build them. */

export function mapPush<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Append unless `v` is in the list already. O(list length). */
export function mapPushUnique<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (!l) m.set(k, [v]);
  else if (!l.includes(v)) l.push(v);
}

/** Append unless `v` is already the last entry: enough to dedupe when values arrive grouped (one owner at a time). O(1). */
export function mapPushLast<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (!l) m.set(k, [v]);
  else if (l[l.length - 1] !== v) l.push(v);
}
