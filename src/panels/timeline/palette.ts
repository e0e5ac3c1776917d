/**
 * Timeline colours, read from CSS variables (theme.css plus the --tl-* ones in
 * timeline.css, which have dark-mode values) so the canvas follows the theme.
 * Falls back to the light values when styles are unavailable (tests).
 */
import { TOOL_CATEGORIES, type EdgeKind } from '../../trace/timeline';

export interface Palette {
  bg: string;
  panel: string;
  sunken: string;
  border: string;
  borderStrong: string;
  text: string;
  dim: string;
  faint: string;
  accent: string;
  selectedBg: string;
  hover: string;
  err: string;
  warn: string;
  run: string;
  turn: string;
  turnText: string;
  inference: string;
  compaction: string;
  session: string;
  spanText: string;
  rangeFill: string;
  /** Tool colours by TOOL_CATEGORIES index. */
  tools: string[];
  edges: Record<EdgeKind, string>;
  fontUi: string;
  fontMono: string;
}

const LIGHT: Palette = {
  bg: '#ffffff',
  panel: '#f7f8fa',
  sunken: '#f1f3f5',
  border: '#dde1e6',
  borderStrong: '#c4cad2',
  text: '#1f2328',
  dim: '#57606a',
  faint: '#8b949e',
  accent: '#1a73e8',
  selectedBg: '#dbe8fd',
  hover: '#eef2f7',
  err: '#cf222e',
  warn: '#bf8700',
  run: '#8250df',
  turn: '#d5dbe3',
  turnText: '#3d4650',
  inference: '#3f7be0',
  compaction: '#c96a00',
  session: 'rgba(47, 158, 136, 0.16)',
  spanText: '#ffffff',
  rangeFill: 'rgba(26, 115, 232, 0.10)',
  tools: ['#2f9e88', '#b7791f', '#c2407a', '#7c5cd6', '#3c8dbc', '#5d8a2e', '#7d8590'],
  edges: {
    spawn_agent: '#1a73e8',
    assign_agent_task: '#8250df',
    send_message: '#1a7f37',
    agent_result: '#c96a00',
    close_agent: '#6e7781',
    wait: '#8b949e',
  },
  fontUi: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  fontMono: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
};

const VARS: [keyof Palette, string][] = [
  ['bg', '--bg'],
  ['panel', '--bg-panel'],
  ['sunken', '--bg-sunken'],
  ['border', '--border'],
  ['borderStrong', '--border-strong'],
  ['text', '--text'],
  ['dim', '--text-dim'],
  ['faint', '--text-faint'],
  ['accent', '--accent'],
  ['selectedBg', '--bg-selected'],
  ['hover', '--bg-hover'],
  ['err', '--tl-err'],
  ['warn', '--tl-warn'],
  ['run', '--tl-run'],
  ['turn', '--tl-turn'],
  ['turnText', '--tl-turn-text'],
  ['inference', '--tl-inference'],
  ['compaction', '--tl-compaction'],
  ['session', '--tl-session'],
  ['spanText', '--tl-span-text'],
  ['rangeFill', '--tl-range'],
  ['fontUi', '--font-ui'],
  ['fontMono', '--font-mono'],
];

export function readPalette(el: Element | null): Palette {
  const p: Palette = { ...LIGHT, tools: [...LIGHT.tools], edges: { ...LIGHT.edges } };
  if (!el || typeof getComputedStyle !== 'function') return p;
  let cs: CSSStyleDeclaration;
  try {
    cs = getComputedStyle(el);
  } catch {
    return p;
  }
  const v = (name: string) => cs.getPropertyValue(name).trim();
  for (const [key, name] of VARS) {
    const x = v(name);
    if (x) (p as unknown as Record<string, string>)[key] = x;
  }
  TOOL_CATEGORIES.forEach((c, i) => {
    const x = v(`--tl-tool-${c}`);
    if (x) p.tools[i] = x;
  });
  for (const k of Object.keys(p.edges) as EdgeKind[]) {
    const x = v(`--tl-edge-${k.replace(/_/g, '-')}`);
    if (x) p.edges[k] = x;
  }
  return p;
}
