/**
 * Parts of the page that its first paint does not show (the centre tabs
 * other than the conversation, the session list, the shortcut list) are
 * separate chunks: the first paint waits only for what it shows. Each is
 * fetched when first shown or, earlier, when the page is idle after its first
 * paint (`preloadWhenIdle`), so that switching to it later is instant.
 */
import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';

export interface LazyPart<P extends object> {
  Component: ComponentType<P>;
  /** Fetches and evaluates the chunk; resolves once `Component` renders without suspending. */
  preload(): Promise<unknown>;
}

const parts: LazyPart<never>[] = [];

/**
 * `load` imports the chunk and picks its component. Once it is in, the
 * component renders directly, not through React.lazy: a lazy component
 * whose promise has already settled still suspends for one render, which
 * would paint its fallback for a frame on every tab switch.
 */
export function lazyPart<P extends object>(load: () => Promise<ComponentType<P>>, fallback: ReactNode = null): LazyPart<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<{ default: ComponentType<P> }> | null = null;
  const preload = () =>
    (pending ??= load().then(
      (c) => {
        loaded = c;
        return { default: c };
      },
      (e: unknown) => {
        // A failed fetch (say, the server went away) is tried again on the next render, not cached.
        pending = null;
        throw e;
      },
    ));
  const Lazy = lazy(preload);
  function Component(props: P) {
    const C = loaded;
    if (C) return <C {...props} />;
    return (
      <Suspense fallback={fallback}>
        <Lazy {...props} />
      </Suspense>
    );
  }
  const part = { Component, preload };
  parts.push(part as LazyPart<never>);
  return part;
}

/** What a region shows while its chunk arrives: the region's own empty background, as a staged region shows before it mounts. */
export const PENDING = <div className="stage-pending" aria-busy="true" />;

/**
 * Loads every lazy part in the page's first idle period (at the latest after
 * `timeoutMs`), all at once: one part per idle period stretched the loading
 * over seconds while a trace loaded, into the time a reader (or a drop) may
 * already be using the page. The fetches run in parallel; each chunk's
 * evaluation is a short task of its own.
 */
export function preloadWhenIdle(timeoutMs = 2000): void {
  const start = () => {
    for (const part of parts) part.preload().catch(() => {});
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: timeoutMs });
  else setTimeout(start, 200);
}
