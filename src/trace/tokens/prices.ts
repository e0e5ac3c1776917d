/**
 * A price table the user supplies (a small JSON file; nothing is fetched):
 *
 *   {"currency":"USD","per":1000000,
 *    "models":{"gpt-5.5":{"input":1.25,"cached_input":0.125,"output":10}}}
 *
 * Prices are per `per` tokens (default one million). What each token is
 * charged as follows OpenAI's usage fields, which Codex records as is:
 *
 * - `input_tokens` counts every input token; `cached_input_tokens` and
 *   `cache_write_input_tokens` are parts of it. Cached tokens are charged at
 *   `cached_input`, cache writes at `cache_write_input`, the rest at `input`.
 *   A table that names no cached (or cache-write) price gets none: those
 *   tokens are charged at `input`, the price with no discount.
 * - `output_tokens` already include `reasoning_output_tokens` (every recorded
 *   call has reasoning ≤ output), so reasoning is never charged a second time.
 *
 * A model the table does not name has no price: its calls cost nothing known,
 * and every total that includes them says it is partial. Nothing is guessed.
 */
import { z } from 'zod';
import { isRecord } from '../objects';
import type { TokenUsage } from '../schema/state';

/** Largest price table accepted: a table for every model there is fits in a few KiB. */
export const MAX_PRICE_TABLE_BYTES = 256 * 1024;
const MAX_MODELS = 2000;
const MAX_MODEL_NAME = 256;

const Price = z
  .number({ error: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n >= 0, 'must not be negative');

export const ModelPriceSchema = z.strictObject(
  {
    input: Price,
    cached_input: Price.optional(),
    cache_write_input: Price.optional(),
    output: Price,
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} (known: input, cached_input, cache_write_input, output)`
        : 'must be an object of prices',
  },
);
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const PriceTableSchema = z.object({
  currency: z.string({ error: 'must be a text such as "USD"' }).trim().min(1, 'must not be empty').max(16, 'must be at most 16 characters'),
  per: z
    .number({ error: 'must be a number' })
    .refine((n) => Number.isFinite(n) && n > 0, 'must be a positive number')
    .default(1_000_000),
  // Entries rather than a record: a record would lose a model named
  // "__proto__" (or give it Object.prototype's), and a Map looks up own names only.
  models: z
    .preprocess(
      // An array is no table of names: turned into null, it fails as a wrong type.
      (v) => (isRecord(v) ? Object.entries(v) : null),
      z
        .array(
          z.tuple([
            z.string().min(1, 'a model name must not be empty').max(MAX_MODEL_NAME, `a model name must be at most ${MAX_MODEL_NAME} characters`),
            ModelPriceSchema,
          ]),
          {
            error: 'must be an object of model name → prices',
          },
        )
        .max(MAX_MODELS, `must name at most ${MAX_MODELS} models`),
    )
    .transform((entries) => new Map<string, ModelPrice>(entries)),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

export type PriceTableParse = { ok: true; table: PriceTable } | { ok: false; error: string };

/** Where an issue is, named as the user wrote it: `models["gpt-5.5"].input`. */
function issuePath(path: readonly PropertyKey[], raw: unknown): string {
  const modelNames = isRecord(raw) && isRecord(raw.models) ? Object.keys(raw.models) : [];
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    if (i === 1 && path[0] === 'models' && typeof p === 'number') {
      out += `[${JSON.stringify(modelNames[p] ?? String(p))}]`;
      // The tuple's second element is the prices; its first, the name.
      if (path[2] === 1) i++;
      else if (path[2] === 0) {
        out += ' (name)';
        i++;
      }
      continue;
    }
    out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  }
  return out || 'the table';
}

/** Reads a price table from its JSON text; a bad one gives one message naming what is wrong and where. */
export function parsePriceTable(text: string): PriceTableParse {
  if (text.length > MAX_PRICE_TABLE_BYTES)
    return { ok: false, error: `The price table is too large (over ${MAX_PRICE_TABLE_BYTES / 1024} KiB); a price table is a small JSON file.` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `The price table is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isRecord(raw)) return { ok: false, error: 'The price table must be a JSON object: {"currency": "USD", "per": 1000000, "models": {…}}.' };
  const parsed = PriceTableSchema.safeParse(raw);
  if (parsed.success) return { ok: true, table: parsed.data };
  const issue = parsed.error.issues[0];
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
  return { ok: false, error: `Price table: ${issuePath(issue.path, raw)} ${issue.message}${more}.` };
}

/** The prices of a model, or null when the table does not name it (own names only: "constructor" is no model of any table that does not say so). */
export function priceOf(table: PriceTable, model: string): ModelPrice | null {
  return table.models.get(model) ?? null;
}

/** Token counts that can be priced: one call's usage, or sums of them. */
export interface PricedTokens {
  input: number;
  cachedInput: number;
  cacheWriteInput: number;
  output: number;
}

export function usageTokens(u: TokenUsage): PricedTokens {
  return { input: u.input_tokens, cachedInput: u.cached_input_tokens, cacheWriteInput: u.cache_write_input_tokens, output: u.output_tokens };
}

/** What tokens of one model cost under the table, or null when the table has no price for the model. */
export function costOf(table: PriceTable, model: string, t: PricedTokens): number | null {
  const p = priceOf(table, model);
  if (!p) return null;
  const cached = Math.min(t.cachedInput, t.input);
  const written = Math.min(t.cacheWriteInput, t.input - cached);
  const plain = t.input - cached - written;
  const sum = plain * p.input + cached * (p.cached_input ?? p.input) + written * (p.cache_write_input ?? p.input) + t.output * p.output;
  return sum / table.per;
}
