/**
 * Archive readers and HTTP reads stop at a byte budget their caller sets,
 * instead of finding out afterwards that what they unpacked cannot be held.
 * The caller (which knows why the budget is what it is) words the message.
 */
export class SizeLimitError extends Error {
  constructor(
    /** What was being read: an archive's or bundle's name. */
    readonly subject: string,
    /** Bytes it holds or claims, as far as known when reading stopped (at least this many). */
    readonly bytes: number,
    readonly limit: number,
    /** Whether `bytes` is what a header declared (known before reading) or what was read before stopping. */
    readonly known: 'declared' | 'read',
    /** What the limit is on: the whole bundle (events and payloads), or its event log alone. */
    readonly of: 'bundle' | 'log' = 'bundle',
  ) {
    super(`${subject}: ${known === 'declared' ? '' : 'more than '}${bytes} bytes, over the limit of ${limit}`);
    this.name = 'SizeLimitError';
  }
}
