/**
 * A bundle whose files are still arriving: the main thread reads dropped files
 * and sends their bytes over as each read completes, and the reducer starts on
 * the first ones instead of waiting for the last. A read of a file that has
 * not come yet waits for it; a file the sender could not read fails that read.
 */
import { MemorySource, bytesText, type BundleSource, type FileText } from './source';

interface Waiter {
  resolve(bytes: Uint8Array): void;
  reject(err: Error): void;
}

export class ArrivingSource implements BundleSource {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly bodies = new Map<string, Uint8Array>();
  private readonly failures = new Map<string, Error>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly expected: ReadonlySet<string>;
  private onComplete: (() => void) | null = null;
  private arrivedAll: Promise<void> | null = null;
  private aborted: Error | null = null;
  /** Bytes that have arrived so far. */
  arrivedBytes = 0;
  /** Called after each delivery. */
  onArrival: (() => void) | null = null;

  /**
   * `paths`: every file that will arrive, relative to the bundle root. Their
   * sizes are learnt on arrival: the Files may be on the page, which reads
   * them, and only their bytes come here.
   */
  constructor(
    readonly name: string,
    paths: Iterable<string>,
  ) {
    this.expected = new Set(paths);
  }

  /** Number of files announced, and of those that have arrived (or failed). */
  get fileCount(): number {
    return this.expected.size;
  }
  get arrivedCount(): number {
    return this.bodies.size + this.failures.size;
  }

  /** A file's bytes have arrived (or, with an Error, could not be read). Unannounced paths are ignored. */
  deliver(path: string, body: Uint8Array | Error): void {
    if (!this.expected.has(path) || this.bodies.has(path) || this.failures.has(path)) return;
    if (body instanceof Error) this.failures.set(path, body);
    else {
      this.bodies.set(path, body);
      this.arrivedBytes += body.byteLength;
    }
    for (const w of this.waiters.get(path) ?? []) {
      if (body instanceof Error) w.reject(body);
      else w.resolve(body);
    }
    this.waiters.delete(path);
    this.onArrival?.();
    if (this.arrivedCount === this.expected.size) this.onComplete?.();
  }

  /** Fails every read still waiting, and every later read of a file not yet in (the load was cancelled or the sender gave up). */
  abort(reason: Error): void {
    this.aborted ??= reason;
    for (const [path, ws] of this.waiters) {
      this.failures.set(path, reason);
      for (const w of ws) w.reject(reason);
    }
    this.waiters.clear();
  }

  async readText(path: string): Promise<string | null> {
    const bytes = await this.readBytes(path);
    return bytes === null ? null : this.decoder.decode(bytes);
  }

  async readFileText(path: string): Promise<FileText | null> {
    const bytes = await this.readBytes(path);
    return bytes === null ? null : bytesText(bytes, (b) => this.decoder.decode(b));
  }

  async readBytes(path: string): Promise<Uint8Array | null> {
    if (!this.expected.has(path)) return null;
    const failed = this.failures.get(path) ?? (this.bodies.has(path) ? null : this.aborted);
    if (failed) throw failed;
    const bytes =
      this.bodies.get(path) ??
      (await new Promise<Uint8Array>((resolve, reject) => {
        const list = this.waiters.get(path) ?? [];
        list.push({ resolve, reject });
        this.waiters.set(path, list);
      }));
    return bytes;
  }

  /** Known once the file has arrived. */
  size(path: string): number | null {
    return this.bodies.get(path)?.byteLength ?? null;
  }

  /** Once every announced file has arrived: the bundle as a MemorySource (its failed files left out). */
  async complete(signal?: AbortSignal): Promise<MemorySource> {
    this.arrivedAll ??= new Promise<void>((resolve) => {
      if (this.arrivedCount === this.expected.size) resolve();
      else this.onComplete = resolve;
    });
    if (signal) {
      signal.throwIfAborted();
      await Promise.race([this.arrivedAll, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]);
    } else await this.arrivedAll;
    return new MemorySource(this.name, new Map(this.bodies));
  }
}
