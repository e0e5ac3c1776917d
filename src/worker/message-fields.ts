/** Fields both directions of the worker protocol share (requests.ts, responses.ts). */
import { z } from 'zod';

/** A request's id (the client numbers them), which every answer to it carries. */
export const Id = z.number().int().nonnegative();

/** Bytes handed over or cloned with a message. */
export const BytesSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
