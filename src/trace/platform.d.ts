/**
 * The web-platform APIs src/trace may use: those that Node (20 on), browsers
 * and workers all provide, declared by hand so that src/trace/tsconfig.json
 * can check this folder with no DOM and no Node types. Adding an API here is a
 * decision that it exists in all three; `document`, `window`, `process` or
 * `Buffer` must never appear. Only that tsconfig reads this file (the root one
 * excludes it and gives the full DOM instead).
 */

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

type BufferSource = ArrayBufferView | ArrayBuffer;

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: BufferSource, options?: { stream?: boolean }): string;
}

interface ReadableStreamReadResult<R> {
  done: boolean;
  value: R;
}
interface ReadableStreamDefaultReader<R = unknown> {
  read(): Promise<ReadableStreamReadResult<R>>;
  cancel(reason?: unknown): Promise<void>;
}
interface ReadableStreamDefaultController<R = unknown> {
  enqueue(chunk: R): void;
  close(): void;
  error(e?: unknown): void;
}
interface ReadableStream<R = unknown> {
  pipeThrough<T>(transform: { writable: WritableStream<R>; readable: ReadableStream<T> }): ReadableStream<T>;
  getReader(): ReadableStreamDefaultReader<R>;
  cancel(reason?: unknown): Promise<void>;
}
declare var ReadableStream: {
  prototype: ReadableStream;
  new <R = unknown>(source: {
    start?(controller: ReadableStreamDefaultController<R>): void;
    pull?(controller: ReadableStreamDefaultController<R>): void | Promise<void>;
  }): ReadableStream<R>;
};
interface WritableStream<W = unknown> {
  readonly locked: boolean;
  /** Never called: makes W contravariant, as a sink's chunk type is. */
  readonly __write?: (chunk: W) => void;
}

declare class DecompressionStream {
  constructor(format: 'gzip' | 'deflate' | 'deflate-raw');
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<BufferSource>;
}

type BlobPart = BufferSource | Blob | string;

declare class Blob {
  constructor(parts?: BlobPart[], options?: { type?: string });
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
  slice(start?: number, end?: number, contentType?: string): Blob;
  stream(): ReadableStream<Uint8Array>;
}

interface Headers {
  get(name: string): string | null;
}

declare class Response {
  constructor(body?: ReadableStream<Uint8Array> | Blob | BufferSource | string | null);
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

declare function fetch(input: string | URL, init?: { signal?: AbortSignal; headers?: Record<string, string>; method?: string }): Promise<Response>;

declare class URL {
  constructor(url: string, base?: string | URL);
  readonly href: string;
  readonly pathname: string;
}

declare var crypto: { readonly subtle?: { digest(algorithm: 'SHA-256', data: BufferSource): Promise<ArrayBuffer> } } | undefined;

declare var performance: { now(): number };

declare var console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
