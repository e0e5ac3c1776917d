// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { buildExportHtml, escapeRawText, exportCsp } from '../../src/share/export';
import { readEmbedded } from '../../src/share/embedded';
import { shareLink } from '../../src/share/link';
import { DEFAULT_VIEW_STATE, parseViewState, serializeViewState, type ViewState } from '../../src/store';

const view: ViewState = {
  ...DEFAULT_VIEW_STATE,
  trace: { name: null, hash: '1'.repeat(64), label: 'my bundle' },
  selection: { kind: 'tool_call', id: 'call_0005' },
  window: { startMs: 10, endMs: 20 },
};

describe('share link', () => {
  it('names a served trace in ?trace= and the view in #view=', () => {
    const vs = { ...view, trace: { name: 'traces/long-session', hash: '1'.repeat(64), label: 'long-session' } };
    const link = shareLink(vs, { protocol: 'http:', origin: 'http://127.0.0.1:4180', pathname: '/', search: '?trace=old&x=1', href: '' });
    const u = new URL(link);
    expect(u.searchParams.get('trace')).toBe('traces/long-session');
    expect(u.searchParams.get('x')).toBe('1');
    expect(parseViewState(new URLSearchParams(u.hash.slice(1)).get('view'))).toEqual(vs);
  });

  it('leaves ?trace= out for a dropped bundle (the hash in the view finds it)', () => {
    const link = shareLink(view, { protocol: 'http:', origin: 'http://localhost:5173', pathname: '/app/', search: '?trace=old', href: '' });
    expect(new URL(link).searchParams.has('trace')).toBe(false);
    expect(link.startsWith('http://localhost:5173/app/#view=')).toBe(true);
  });
});

describe('exported page', () => {
  const zip = zipSync({ 'manifest.json': strToU8('{"m":1}'), 'trace.jsonl': strToU8('{"e":1}\n'), 'payloads/1.json': strToU8('{}') });
  const js = 'const s = "</script><!-- x"; console.log(s);';
  const html = buildExportHtml({ name: 'b<1>', js, css: 'a{}</style>', workerJs: 'self.onmessage=()=>{}', zip, view: serializeViewState(view) });

  it('inlines the code (no external script or stylesheet) and cannot be broken out of', () => {
    expect(html).not.toMatch(/<script[^>]*\bsrc=/);
    expect(html).not.toMatch(/<link[^>]*stylesheet/);
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data block and the app script, nothing from inside the code
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).toContain('<title>b&#60;1&#62; — Codex trace viewer</title>');
    expect(escapeRawText('x</SCRIPT>', 'script')).toBe('x<\\/SCRIPT>');
  });

  it('has a CSP that forbids connections to any host and allows only its own script, by hash', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1].replace(/&#39;/g, "'");
    // data: only: the zstd decoder's inline WebAssembly; no scheme or host that reaches the network.
    expect(/connect-src ([^;]*)/.exec(csp)![1].trim()).toBe('data:');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('worker-src blob:');
    const inline = /<script type="module">([\s\S]*?)<\/script>/.exec(html)![1];
    const digest = createHash('sha256').update(inline, 'utf8').digest('base64');
    expect(csp).toContain(`'sha256-${digest}'`);
    expect(exportCsp('other')).not.toContain(digest);
  });

  it('carries the trace and the view, which the page reads back', () => {
    document.open();
    document.write(html.replace(/<script type="module">[\s\S]*?<\/script>/, ''));
    document.close();
    const e = readEmbedded(document)!;
    expect(e).not.toBeNull();
    expect(e.name).toBe('b<1>');
    expect(e.view).toEqual(view);
    expect(e.workerSource).toBe('self.onmessage=()=>{}');
    expect(e.files.map((f) => f.path).sort()).toEqual(['b<1>/manifest.json', 'b<1>/payloads/1.json', 'b<1>/trace.jsonl']);
  });
});
