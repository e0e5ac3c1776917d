/**
 * Services the UI needs from the data path, injectable for tests and the dev
 * harness. The app default is the worker client (`traceClient`).
 */
import { createContext, useContext } from 'react';
import type { SearchHit } from '../worker/client';

export type { SearchHit };

export interface TraceServices {
  /** Parsed JSON of a payload file, by bundle path (`payloads/3.json`). */
  readPayload(path: string): Promise<unknown>;
  /** Full-text search over the loaded trace. */
  search(query: string, limit?: number): Promise<SearchHit[]>;
}

const NONE: TraceServices = {
  readPayload: () => Promise.reject(new Error('no trace services')),
  search: () => Promise.resolve([]),
};

export const ServicesContext = createContext<TraceServices>(NONE);

export function useServices(): TraceServices {
  return useContext(ServicesContext);
}
