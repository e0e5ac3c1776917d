/** Shared test helpers for store/indexes/panel tests: real fixture bundles and their official reduced state. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RolloutTraceSchema, type RolloutTrace } from '../../src/trace/schema/state';
import { ManifestSchema, type Manifest } from '../../src/trace/schema/manifest';
import { generationOf } from '../../src/trace/schema/generations';
import { payloadLocation, payloadStoreFor } from '../../src/trace/bundle/payloads';
import { DirectorySource } from '../../src/cli/directory-source';

export const FIXTURES_DIR = resolve(__dirname, '../fixtures/traces');

/** Every fixture bundle that ships an official state.json. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FIXTURES_DIR, d.name, 'state.json')))
    .map((d) => d.name)
    .sort();
}

const cache = new Map<string, RolloutTrace>();
/** The official reduced state of a fixture, validated with the schema. */
export function loadState(name: string): RolloutTrace {
  let s = cache.get(name);
  if (!s) {
    s = RolloutTraceSchema.parse(JSON.parse(readFileSync(join(FIXTURES_DIR, name, 'state.json'), 'utf8')));
    cache.set(name, s);
  }
  // Callers get their own copy so nothing leaks between tests.
  return structuredClone(s);
}

/** The raw JSON (not schema-parsed): for computing expected values independently of our types. */
export function loadRawState(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name, 'state.json'), 'utf8'));
}

export function loadManifest(name: string): Manifest {
  return ManifestSchema.parse(JSON.parse(readFileSync(join(FIXTURES_DIR, name, 'manifest.json'), 'utf8')));
}

/**
 * A payload reader over a fixture directory (what traceClient.readPayload does
 * in the app): it takes a payload id and reads the payload wherever the
 * bundle's generation keeps it. `calls` lists where each read went.
 */
export function fixturePayloadReader(name: string) {
  const calls: string[] = [];
  const dir = join(FIXTURES_DIR, name);
  const state = loadState(name);
  const store = payloadStoreFor(new DirectorySource(dir), generationOf(state.schema_version)!.payloads);
  const read = async (id: string): Promise<unknown> => {
    const ref = Object.hasOwn(state.raw_payloads, id) ? state.raw_payloads[id] : undefined;
    if (!ref) throw new Error(`${id} is not a payload of ${name}`);
    calls.push(payloadLocation(ref));
    const got = await store.read(ref);
    if ('problem' in got) throw new Error(got.problem.message);
    return JSON.parse(got.body.text());
  };
  return Object.assign(read, { calls });
}
