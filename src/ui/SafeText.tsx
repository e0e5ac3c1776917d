/**
 * Untrusted text rendered as text nodes only: ANSI colour escapes become
 * styled spans (src/ui/ansi.ts), other escape sequences disappear, and
 * invisible characters that could mislead (bidi controls, zero-width,
 * tag characters, C0 controls) are shown as small ⟨NAME⟩ markers
 * (src/ui/invisible.ts). Never uses innerHTML, links or URLs.
 */
import type { CSSProperties, ReactNode } from 'react';
import { type AnsiColor, type AnsiStyle, hasAnsi, parseAnsi } from './ansi';
import { type InvisibleMode, hasInvisible, splitInvisible } from './invisible';

function colorCss(c: AnsiColor): string {
  return typeof c === 'number' ? `var(--ansi-${c})` : c;
}

function styleCss(s: AnsiStyle): CSSProperties | undefined {
  const css: CSSProperties = {};
  let fg = s.fg !== undefined ? colorCss(s.fg) : undefined;
  let bg = s.bg !== undefined ? colorCss(s.bg) : undefined;
  if (s.bold && typeof s.fg === 'number' && s.fg < 8) fg = colorCss(s.fg + 8);
  if (s.inverse) [fg, bg] = [bg ?? 'var(--bg)', fg ?? 'var(--text)'];
  if (fg) css.color = fg;
  if (bg) css.backgroundColor = bg;
  if (s.bold) css.fontWeight = 600;
  if (s.dim) css.opacity = 0.65;
  if (s.italic) css.fontStyle = 'italic';
  const deco = [s.underline && 'underline', s.strike && 'line-through'].filter(Boolean).join(' ');
  if (deco) css.textDecoration = deco;
  return Object.keys(css).length ? css : undefined;
}

function withMarkers(text: string, mode: InvisibleMode, key: string): ReactNode[] {
  if (!hasInvisible(text, mode)) return [text];
  return splitInvisible(text, mode).map((r, i) =>
    r.invisible ? (
      <span key={`${key}.${i}`} className="invisible-char" title={`${r.code} ${r.invisible} (hidden character)`} data-invisible={r.code}>
        {r.invisible}
      </span>
    ) : (
      r.text
    ),
  );
}

/** The nodes for `text` (inline: wrap them in whatever element fits). */
export function safeTextNodes(text: string, { mode = 'text', ansi = true }: { mode?: InvisibleMode; ansi?: boolean } = {}): ReactNode[] {
  if (ansi && hasAnsi(text)) {
    return parseAnsi(text).map((run, i) => {
      const css = styleCss(run.style);
      const inner = withMarkers(run.text, mode, String(i));
      return css ? (
        <span key={i} className="ansi" style={css}>
          {inner}
        </span>
      ) : (
        <span key={i}>{inner}</span>
      );
    });
  }
  return withMarkers(text, mode, 't');
}

export function SafeText({ text, mode = 'text', ansi = true }: { text: string; mode?: InvisibleMode; ansi?: boolean }) {
  return <>{safeTextNodes(text, { mode, ansi })}</>;
}
