import { describe, expect, it } from 'vitest';
import { appendPoint } from '../console/src/history.ts';
import { href, hrefWithQuery, parseRoute } from '../console/src/router.ts';

describe('console router', () => {
  it('reads the fragment into decoded segments and a query', () => {
    const route = parseRoute('#/topics/a%2Fb?partition=2');
    expect(route.segments).toEqual(['topics', 'a/b']);
    expect(route.query.get('partition')).toBe('2');
    expect(parseRoute('').segments).toEqual([]);
    expect(parseRoute('#/').segments).toEqual([]);
  });

  it('keeps a segment whose escapes do not decode as it is', () => {
    expect(parseRoute('#/groups/%E0%A4%A').segments).toEqual(['groups', '%E0%A4%A']);
  });

  it('writes links that parse back to the same segments', () => {
    const link = href('groups', 'team/a b?');
    expect(parseRoute(link).segments).toEqual(['groups', 'team/a b?']);
    expect(hrefWithQuery(['messages', 't'], { offset: '5' })).toBe('#/messages/t?offset=5');
  });
});

describe('chart history', () => {
  it('keeps the newest points up to its bound', () => {
    let points = appendPoint([], { atMs: 0, values: [1] }, 2);
    points = appendPoint(points, { atMs: 1, values: [2] }, 2);
    points = appendPoint(points, { atMs: 2, values: [3] }, 2);
    expect(points.map((p) => p.atMs)).toEqual([1, 2]);
  });
});
