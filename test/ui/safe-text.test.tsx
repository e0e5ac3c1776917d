// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CopyId } from '../../src/ui/CopyId';
import { JsonTree } from '../../src/ui/JsonTree';
import { SafeText } from '../../src/ui/SafeText';
import { TruncatedText } from '../../src/ui/TruncatedText';

afterEach(cleanup);

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';

describe('SafeText', () => {
  it('shows terminal colours as coloured spans without escape garbage', () => {
    const { container } = render(
      <pre>
        <SafeText text={'\u001b[1;31merror\u001b[0m: \u001b[32mok\u001b[0m'} />
      </pre>,
    );
    expect(container.textContent).toBe('error: ok');
    const spans = [...container.querySelectorAll('span.ansi')] as HTMLElement[];
    expect(spans.map((s) => [s.textContent, s.style.color])).toEqual([
      ['error', 'var(--ansi-9)'],
      ['ok', 'var(--ansi-2)'],
    ]);
    expect(spans[0].style.fontWeight).toBe('600');
  });

  it('keeps HTML literal and marks bidi and zero-width characters', () => {
    const { container } = render(<SafeText text={`${HOSTILE} rm -rf /\u202Etxt.exe\u200B`} />);
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.textContent).toContain('<script>window.__pwned=1</script>');
    const marks = [...container.querySelectorAll('.invisible-char')].map((m) => m.getAttribute('data-invisible'));
    expect(marks).toEqual(['U+202E', 'U+200B']);
  });

  it('terminal output cannot hide its own tail: an unterminated sequence is shown, marked, and the next line follows', () => {
    const { container } = render(
      <pre>
        <SafeText text={'$ make\u009d0;hidden?\nBUILD FAILED\n\u001b]8;;x\nstill here'} />
      </pre>,
    );
    expect(container.textContent).toContain('BUILD FAILED');
    expect(container.textContent).toContain('still here');
    expect(container.textContent).toContain('hidden?');
    const marks = [...container.querySelectorAll('.invisible-char')].map((m) => m.getAttribute('data-invisible'));
    expect(marks).toEqual(['U+009D', 'U+001B']);
  });
});

describe('shared components show untrusted text safely', () => {
  it('TruncatedText (conversation bodies, terminal output)', () => {
    const { container } = render(<TruncatedText text={'\u001b[33mwarning\u001b[0m ' + HOSTILE} mono />);
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.querySelector('span.ansi')?.textContent).toBe('warning');
    expect(container.textContent).not.toContain('\u001b');
  });

  it('CopyId shows a hidden override as a marker but copies the real value', () => {
    const { container } = render(<CopyId value={'call_\u202Eevil'} />);
    const code = container.querySelector('code')!;
    expect(code.querySelector('.invisible-char')?.textContent).toBe('RLO');
    expect(code.getAttribute('title')).toBe('call_⟨RLO⟩evil');
  });

  it('JsonTree keys and values', () => {
    const { container } = render(<JsonTree value={{ ['k\u200Bey']: HOSTILE, out: '\u001b[31mred\u001b[0m' }} />);
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.textContent).toContain(HOSTILE);
    expect(container.querySelectorAll('.invisible-char').length).toBeGreaterThanOrEqual(3); // ZWSP in the key, 2 × ESC in the raw value
  });
});
