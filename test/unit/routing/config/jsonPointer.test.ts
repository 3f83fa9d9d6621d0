import { matcherPathToPointer, pointerOf } from '../../../../src/routing/config/jsonPointer';

describe('pointerOf', () => {
  it('appends escaped segments (RFC 6901)', () => {
    expect(pointerOf('/subscriptions', 3, 'target')).toBe('/subscriptions/3/target');
    expect(pointerOf('', 'a/b', 'c~d')).toBe('/a~1b/c~0d');
  });
});

describe('matcherPathToPointer', () => {
  it.each([
    ['', '/subscriptions/0/filter'],
    ['.data.total[0].numeric', '/subscriptions/0/filter/data/total/0/numeric'],
    ['.$or[1].source', '/subscriptions/0/filter/$or/1/source'],
    ['["odd key"][0]["equals-ignore-case"]', '/subscriptions/0/filter/odd key/0/equals-ignore-case'],
    ['["a.b/c"].x', '/subscriptions/0/filter/a.b~1c/x'],
    ['["quote\\"d"]', '/subscriptions/0/filter/quote"d'],
    ['.prefix.equals-ignore-case', '/subscriptions/0/filter/prefix/equals-ignore-case'],
  ])('turns %j into %s', (path, pointer) => {
    expect(matcherPathToPointer('/subscriptions/0/filter', path)).toBe(pointer);
  });

  it('keeps a part it cannot read instead of dropping it', () => {
    expect(matcherPathToPointer('/f', '.a?b')).toBe('/f/a?b');
    expect(matcherPathToPointer('/f', '.a["unterminated')).toBe('/f/a/["unterminated');
  });
});
