/**
 * The trace schema generations Codex has written, which releases write each,
 * and whose reducer is the reference for it. A bundle's manifest names its
 * generation; everything that differs between generations is decided from
 * this table and the rules in ../reducer/rules.ts, once per bundle.
 */
export type SchemaVersion = 1 | 2 | 3;

export interface SchemaGeneration {
  version: SchemaVersion;
  /** The Codex releases that write it, as a user would read it. */
  releases: string;
  /** The release whose `codex debug trace-reduce` output we reproduce. */
  reference: string;
  /** Where payload bodies live. */
  payloads: 'files' | 'shards';
}

export const GENERATIONS: Readonly<Record<SchemaVersion, SchemaGeneration>> = {
  1: { version: 1, releases: 'Codex 0.125.0 – 0.164.0', reference: '0.164.0', payloads: 'files' },
  2: { version: 2, releases: 'Codex 0.165.0 – 0.169.1', reference: '0.169.1', payloads: 'files' },
  3: { version: 3, releases: 'Codex 0.171.0', reference: '0.171.0', payloads: 'shards' },
};

export function generationOf(version: number): SchemaGeneration | null {
  return version === 1 || version === 2 || version === 3 ? GENERATIONS[version] : null;
}

/** What to tell a user whose manifest names a schema no release has written. */
export function unknownSchemaMessage(version: number): { message: string; causes: string[] } {
  return {
    message: `unsupported trace schema ${version}: no Codex release writes it`,
    causes: [
      `known schemas: ${Object.values(GENERATIONS)
        .map((g) => `${g.version} (${g.releases})`)
        .join(', ')}`,
      'a newer Codex may have written this bundle: update codex-trace-viewer, or reduce it with the Codex executable that recorded it',
    ],
  };
}
