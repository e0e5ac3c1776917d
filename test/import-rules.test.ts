/**
 * The layering of src/, as each folder's README states it, checked on every
 * import of every source file (type-only and dynamic imports included): an
 * import a folder may not make, or any import cycle, fails with the importing
 * file, the imported one and the rule.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

/**
 * Which areas each area may import from src/ (its own files always). An area
 * is a folder of src/ (`panels/<name>` for each panel) or a file at its top.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  trace: [],
  worker: ['trace'],
  store: ['trace'],
  ui: ['trace'],
  'panels/shared': ['trace', 'store', 'ui'],
  'panels/*': ['trace', 'store', 'ui', 'panels/shared'],
  loader: ['trace', 'store', 'ui', 'worker'],
  share: ['trace', 'store', 'ui', 'worker'],
  sessions: ['trace', 'ui'],
  app: ['trace', 'store', 'ui', 'worker', 'loader', 'share', 'sessions', 'panels/*', 'panels/shared'],
  cli: ['trace', 'csp.ts'],
  'main.tsx': ['app', 'loader', 'share', 'store', 'worker'],
  'boot.ts': ['worker', 'loader'],
  'csp.ts': [],
};

/** Packages an area may not import: the reducer and the worker stay free of React and the DOM; only the CLI uses Node. */
const PACKAGES_BANNED: Record<string, RegExp> = {
  trace: /^(react|react-dom|zustand|@tanstack\/|node:)/,
  worker: /^(react|react-dom|zustand|@tanstack\/|node:)/,
  store: /^(@tanstack\/|node:)/,
  '*': /^node:/,
};

export interface Edge {
  from: string;
  to: string;
}

/** `src/`-relative path → area. */
export function areaOf(rel: string): string {
  const parts = rel.split('/');
  if (parts.length === 1) return parts[0];
  return parts[0] === 'panels' ? `panels/${parts[1]}` : parts[0];
}

function allowed(from: string, to: string): boolean {
  if (from === to) return true;
  const rules = MAY_IMPORT[from] ?? (from.startsWith('panels/') ? MAY_IMPORT['panels/*'] : undefined);
  if (!rules) return false;
  return rules.some((r) => r === to || (r === 'panels/*' && to.startsWith('panels/') && to !== 'panels/shared'));
}

function rulesText(area: string): string {
  const rules = MAY_IMPORT[area] ?? (area.startsWith('panels/') ? MAY_IMPORT['panels/*'] : undefined);
  if (!rules) return `${area} has no import rule (add it to MAY_IMPORT and the folder's README)`;
  return rules.length ? `${area} may import only ${rules.join(', ')}` : `${area} may import nothing else from src/`;
}

/** Every problem in a graph of src/-relative files: forbidden imports, then import cycles. */
export function checkImports(files: readonly string[], edges: readonly Edge[], packages: readonly Edge[] = []): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    const a = areaOf(e.from);
    const b = areaOf(e.to);
    if (!allowed(a, b)) problems.push(`src/${e.from} imports src/${e.to}: ${rulesText(a)}`);
  }
  for (const e of packages) {
    const a = areaOf(e.from);
    const ban = PACKAGES_BANNED[a.startsWith('panels/') ? 'panels' : a] ?? (a === 'cli' ? null : PACKAGES_BANNED['*']);
    if (ban?.test(e.to)) problems.push(`src/${e.from} imports the package ${e.to}, which ${a} may not use`);
  }
  for (const cycle of cycles(files, edges)) problems.push(`import cycle: ${cycle.map((f) => `src/${f}`).join(' → ')}`);
  return problems;
}

/** One cycle per strongly connected group of files (Tarjan), written from its first file back to it. */
function cycles(files: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let n = 0;
  const visit = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || next.get(v)!.includes(v)) groups.push(group);
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return groups.map((group) => {
    // A shortest way back to the group's first file, through the group only.
    const inGroup = new Set(group);
    const start = [...group].sort()[0];
    const prev = new Map<string, string>();
    const queue = [start];
    let last: string | null = null;
    for (let i = 0; i < queue.length && last === null; i++) {
      for (const w of next.get(queue[i]) ?? []) {
        if (w === start) {
          last = queue[i];
          break;
        }
        if (inGroup.has(w) && !prev.has(w)) {
          prev.set(w, queue[i]);
          queue.push(w);
        }
      }
    }
    const way = [start];
    for (let v = last!; v !== start; v = prev.get(v)!) way.splice(1, 0, v);
    return [...way, start];
  });
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec.replace(/\?.*$/, ''));
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (/\.tsx?$/.test(c) && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return null;
}

function srcGraph() {
  const abs = sourceFiles(SRC);
  const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');
  const edges: Edge[] = [];
  const packages: Edge[] = [];
  const unresolved: string[] = [];
  const data = new Set<string>();
  for (const f of abs) {
    const info = ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (!spec.startsWith('.')) {
        packages.push({ from: rel(f), to: spec });
        continue;
      }
      if (/\.(css|json|wasm)(\?.*)?$/.test(spec)) continue;
      // A file imported as text (`?raw`) is data of the folder it lies in: its folder's rules apply to the import.
      const raw = /\?raw$/.test(spec) ? path.resolve(path.dirname(f), spec.replace(/\?.*$/, '')) : null;
      if (raw && fs.existsSync(raw)) {
        edges.push({ from: rel(f), to: rel(raw) });
        data.add(rel(raw));
        continue;
      }
      const to = resolveImport(f, spec);
      if (to) edges.push({ from: rel(f), to: rel(to) });
      else unresolved.push(`src/${rel(f)}: ${spec}`);
    }
  }
  return { files: [...abs.map(rel), ...data], edges, packages, unresolved };
}

describe('import rules', () => {
  it('every import in src/ follows its folder README, and no import cycle exists', () => {
    const g = srcGraph();
    expect(g.files.length).toBeGreaterThan(100);
    expect(g.edges.length).toBeGreaterThan(300);
    expect(g.unresolved).toEqual([]);
    expect(checkImports(g.files, g.edges, g.packages)).toEqual([]);
  });

  it('every folder of src/ has a README and a rule', () => {
    for (const e of fs.readdirSync(SRC, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      expect(fs.existsSync(path.join(SRC, e.name, 'README.md')), `src/${e.name}/README.md`).toBe(true);
      expect(e.name === 'panels' || e.name in MAY_IMPORT, `a rule for src/${e.name}`).toBe(true);
    }
  });

  it('names the file, the import and the rule; finds cycles', () => {
    const files = ['ui/A.tsx', 'store/index.ts', 'trace/a.ts', 'trace/b.ts', 'trace/c.ts', 'panels/x/P.tsx', 'panels/y/Q.tsx'];
    const edges: Edge[] = [
      { from: 'ui/A.tsx', to: 'store/index.ts' },
      { from: 'panels/x/P.tsx', to: 'panels/y/Q.tsx' },
      { from: 'trace/a.ts', to: 'trace/b.ts' },
      { from: 'trace/b.ts', to: 'trace/c.ts' },
      { from: 'trace/c.ts', to: 'trace/a.ts' },
    ];
    expect(checkImports(files, edges, [{ from: 'trace/a.ts', to: 'react' }])).toEqual([
      'src/ui/A.tsx imports src/store/index.ts: ui may import only trace',
      'src/panels/x/P.tsx imports src/panels/y/Q.tsx: panels/x may import only trace, store, ui, panels/shared',
      'src/trace/a.ts imports the package react, which trace may not use',
      'import cycle: src/trace/a.ts → src/trace/b.ts → src/trace/c.ts → src/trace/a.ts',
    ]);
  });
});
