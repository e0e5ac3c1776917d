/**
 * How panels read raw payload files. The app provides `traceClient.readPayload`;
 * tests provide a fixture reader. Results are cached per provider.
 */
import { createContext, useContext, useMemo, type ReactNode } from 'react';

export type PayloadReader = (path: string) => Promise<unknown>;

interface PayloadReaderValue {
  read: (path: string) => Promise<unknown>;
}

const NO_READER: PayloadReaderValue = {
  read: () => Promise.reject(new Error('No payload reader is available (the trace worker is not connected).')),
};

const PayloadReaderContext = createContext<PayloadReaderValue>(NO_READER);

export function PayloadReaderProvider({ reader, children, cacheKey }: { reader: PayloadReader; children: ReactNode; cacheKey?: unknown }) {
  const value = useMemo<PayloadReaderValue>(() => {
    const cache = new Map<string, Promise<unknown>>();
    return {
      read: (path) => {
        let p = cache.get(path);
        if (!p) {
          p = reader(path);
          cache.set(path, p);
          // A failed read may succeed later (e.g. worker restarted): do not cache failures.
          p.catch(() => cache.delete(path));
        }
        return p;
      },
    };
    // cacheKey: a new bundle gets a fresh cache.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reader, cacheKey]);
  return <PayloadReaderContext.Provider value={value}>{children}</PayloadReaderContext.Provider>;
}

export function usePayloadReader(): PayloadReaderValue {
  return useContext(PayloadReaderContext);
}
