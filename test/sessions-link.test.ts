/**
 * A link to the session list (issue 19): `?sessions#list=…` reopens the list
 * with the same filter, search, statuses and order; a wrong or hostile part of
 * the link is dropped and the rest kept.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIST_VIEW, listLink, readListLink } from '../src/sessions/listLink';

const split = (url: string) => {
  const u = new URL(url, 'http://127.0.0.1:4180');
  return [u.search, u.hash] as const;
};

describe('session list links', () => {
  it('round-trips what the reader set', () => {
    const view = { query: 'gpt-5.5 resume', searchText: 'call_0009', statuses: ['failed', 'partial'] as const, sorting: [{ id: 'tokensIn', desc: false }] };
    const url = listLink('/', { ...view, statuses: [...view.statuses] });
    expect(url.startsWith('/?sessions#list=')).toBe(true);
    expect(readListLink(...split(url))).toEqual({ ...view, statuses: [...view.statuses] });
  });

  it('the defaults make a bare ?sessions, and a bare ?sessions reads as the defaults', () => {
    expect(listLink('/x/', DEFAULT_LIST_VIEW)).toBe('/x/?sessions');
    expect(readListLink('?sessions', '')).toEqual(DEFAULT_LIST_VIEW);
    expect(readListLink('?trace=a', '#list=%7B%22v%22%3A1%7D')).toBeNull();
  });

  it('a wrong field is dropped, the others kept', () => {
    const hash = `#list=${encodeURIComponent(JSON.stringify({ v: 1, q: 'kept', st: ['complete', 'exploded'], sort: [{ id: 'x'.repeat(65), desc: true }] }))}`;
    expect(readListLink('?sessions', hash)).toEqual({ ...DEFAULT_LIST_VIEW, query: 'kept' });
  });

  it('hostile links cost nothing: prototype keys, wrong versions, huge or broken JSON', () => {
    const cases = [
      `#list=${encodeURIComponent('{"v":1,"__proto__":{"q":"polluted"}}')}`,
      `#list=${encodeURIComponent('{"v":2,"q":"future"}')}`,
      `#list=${encodeURIComponent(JSON.stringify({ v: 1, q: 'a'.repeat(20_000) }))}`,
      '#list=%7B',
      '#list=%E0%A4%A',
      `#list=${encodeURIComponent('[1,2]')}`,
    ];
    for (const h of cases) expect(readListLink('?sessions', h)).toEqual(DEFAULT_LIST_VIEW);
    expect(({} as Record<string, unknown>).q).toBeUndefined();
  });
});
