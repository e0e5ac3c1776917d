/** Plain objects whose keys come from a trace or a link: telling them apart, and writing such keys. */

/** A non-null object that is not an array: a JSON object, as parsed. */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Sets `target[key]` as an own property whatever the key: an id spelled `__proto__` must stay a key, not replace the prototype. */
export function setOwn<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
