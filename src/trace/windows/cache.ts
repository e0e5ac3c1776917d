/**
 * The cached prefix of a request, as far as the reported usage tells it:
 * `cached_input_tokens` out of `input_tokens`, mapped onto the window's
 * items by their body size (a proportional estimate — the provider only
 * reports a token count, not which items were cached). Pure TS.
 */
import type { TokenUsage } from '../schema/state';

export interface CachedPrefix {
  cachedTokens: number;
  inputTokens: number;
  /** cached / input, in [0, 1]. */
  fraction: number;
  /** Items fully inside the estimated cached prefix (the first `fullItems` of the window). */
  fullItems: number;
  /** Index of the item the estimated prefix ends inside, or null when it ends on an item boundary / covers the window. */
  partialIndex: number | null;
  /** Estimated cached share of the window's body bytes. */
  cachedBytes: number;
}

/**
 * null when the call has no usage or reports no cached tokens.
 * `itemBytes`: body bytes of the window's items, in window order.
 */
export function cachedPrefix(usage: TokenUsage | null, itemBytes: ArrayLike<number>): CachedPrefix | null {
  if (!usage || usage.cached_input_tokens <= 0 || usage.input_tokens <= 0) return null;
  const fraction = Math.min(1, usage.cached_input_tokens / usage.input_tokens);
  let total = 0;
  for (let i = 0; i < itemBytes.length; i++) total += itemBytes[i];
  const cachedBytes = fraction * total;
  let acc = 0;
  let fullItems = 0;
  let partialIndex: number | null = null;
  for (let i = 0; i < itemBytes.length; i++) {
    const next = acc + itemBytes[i];
    if (next <= cachedBytes + 1e-9) {
      fullItems = i + 1;
      acc = next;
    } else {
      if (cachedBytes - acc > 1e-9) partialIndex = i;
      break;
    }
  }
  return { cachedTokens: usage.cached_input_tokens, inputTokens: usage.input_tokens, fraction, fullItems, partialIndex, cachedBytes };
}
