import { validatePattern } from '../../../src/routing';

function errorsOf(pattern: unknown): [string, string][] {
  return validatePattern(pattern).map((error) => [error.path, error.message]);
}

function pathsOf(pattern: unknown): string[] {
  return validatePattern(pattern).map((error) => error.path);
}

describe('validatePattern', () => {
  it('accepts every operator EventBridge documents', () => {
    expect(
      validatePattern({
        source: ['aws.ec2', { prefix: 'aws.' }, { suffix: '.ec2' }, { 'equals-ignore-case': 'AWS.EC2' }],
        detail: {
          a: [{ prefix: { 'equals-ignore-case': 'x' } }, { suffix: { 'equals-ignore-case': 'y' } }, { wildcard: 'a*b\\*' }],
          b: [{ numeric: ['>', 0, '<=', 5] }, { numeric: ['=', 3.018e2] }, { numeric: ['<', 10] }, { numeric: ['>=', 1] }],
          c: [{ exists: true }, { exists: false }, { cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/32' }],
          d: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['x', 'y'] }, { 'anything-but': [1, 2] }],
          e: [
            { 'anything-but': { 'equals-ignore-case': ['x'] } },
            { 'anything-but': { prefix: 'x' } },
            { 'anything-but': { suffix: ['x', 'y'] } },
            { 'anything-but': { wildcard: '*x*' } },
          ],
          f: [null, true, false, 0, '', { exactly: 'z' }],
          $or: [{ g: ['1'] }, { h: ['2'], $or: [{ i: ['3'] }, { j: ['4'] }] }],
        },
      }),
    ).toEqual([]);
  });

  it('names the path of the bad part, under "filter" by default or the given base', () => {
    expect(pathsOf({ data: { total: [{ numeric: ['>', 'x'] }] } })).toEqual(['filter.data.total[0].numeric[1]']);
    expect(validatePattern({ a: 'x' }, 'subscriptions[3].filter')[0].path).toBe('subscriptions[3].filter.a');
    expect(pathsOf({ 'detail-type': [{ nope: 1 }] })).toEqual(['filter.detail-type[0].nope']);
    expect(pathsOf({ 'odd key': [{ nope: 1 }] })).toEqual(['filter["odd key"][0].nope']);
  });

  it('collects every error rather than stopping at the first', () => {
    expect(
      pathsOf({
        a: 'scalar',
        b: [],
        c: {},
        d: [{ numeric: ['>', 5, '<', 1] }],
        e: [{ prefix: 3 }],
        $or: [{ f: [{ exists: 'yes' }] }],
      }),
    ).toEqual(['filter.a', 'filter.b', 'filter.c', 'filter.d[0].numeric', 'filter.e[0].prefix', 'filter.$or', 'filter.$or[0].f[0].exists']);
  });

  it('refuses a pattern that is not an object, and empty objects and arrays', () => {
    expect(errorsOf([])).toEqual([['filter', 'a pattern must be an object, got an array']]);
    expect(errorsOf({})).toEqual([['filter', 'empty objects are not allowed']]);
    expect(errorsOf({ a: [] })).toEqual([['filter.a', 'empty arrays are not allowed']]);
    expect(errorsOf({ a: { b: {} } })).toEqual([['filter.a.b', 'empty objects are not allowed']]);
  });

  it('refuses values that are neither literals nor operators', () => {
    expect(pathsOf({ a: [[1]] })).toEqual(['filter.a[0]']);
    expect(pathsOf({ a: [{ prefix: 'x', suffix: 'y' }] })).toEqual(['filter.a[0]']);
    expect(pathsOf({ a: [{}] })).toEqual(['filter.a[0]']);
  });

  it('checks numeric expressions', () => {
    expect(pathsOf({ a: [{ numeric: 5 }] })).toEqual(['filter.a[0].numeric']);
    expect(pathsOf({ a: [{ numeric: ['>'] }] })).toEqual(['filter.a[0].numeric']);
    expect(pathsOf({ a: [{ numeric: ['~', 1] }] })).toEqual(['filter.a[0].numeric[0]']);
    expect(pathsOf({ a: [{ numeric: ['<', 1, '>', 0] }] })).toEqual(['filter.a[0].numeric']);
    expect(pathsOf({ a: [{ numeric: ['=', 1, '<', 2] }] })).toEqual(['filter.a[0].numeric']);
    expect(pathsOf({ a: [{ numeric: ['>', 0, '>', 2] }] })).toEqual(['filter.a[0].numeric[2]']);
    expect(pathsOf({ a: [{ numeric: ['>', 1, '<', 1] }] })).toEqual(['filter.a[0].numeric']);
    expect(pathsOf({ a: [{ numeric: ['>', 0, '<', '9'] }] })).toEqual(['filter.a[0].numeric[3]']);
  });

  it('checks anything-but', () => {
    expect(pathsOf({ a: [{ 'anything-but': [] }] })).toEqual(['filter.a[0].anything-but']);
    expect(pathsOf({ a: [{ 'anything-but': ['x', 1] }] })).toEqual(['filter.a[0].anything-but']);
    expect(pathsOf({ a: [{ 'anything-but': null }] })).toEqual(['filter.a[0].anything-but']);
    expect(pathsOf({ a: [{ 'anything-but': [true] }] })).toEqual(['filter.a[0].anything-but']);
    expect(pathsOf({ a: [{ 'anything-but': { numeric: ['>', 1] } }] })).toEqual(['filter.a[0].anything-but.numeric']);
    expect(pathsOf({ a: [{ 'anything-but': { prefix: '' } }] })).toEqual(['filter.a[0].anything-but.prefix']);
    expect(pathsOf({ a: [{ 'anything-but': { suffix: [] } }] })).toEqual(['filter.a[0].anything-but.suffix']);
    expect(pathsOf({ a: [{ 'anything-but': { 'equals-ignore-case': 1 } }] })).toEqual(['filter.a[0].anything-but.equals-ignore-case']);
    expect(pathsOf({ a: [{ 'anything-but': { wildcard: ['ok*', 'a**b'] } }] })).toEqual(['filter.a[0].anything-but.wildcard']);
    expect(pathsOf({ a: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] })).toEqual(['filter.a[0].anything-but']);
  });

  it('checks wildcards as Event Ruler does', () => {
    expect(errorsOf({ a: [{ wildcard: 'a**b' }] })).toEqual([['filter.a[0].wildcard', 'consecutive wildcard characters at position 1']]);
    expect(errorsOf({ a: [{ wildcard: 'a\\b' }] })).toEqual([['filter.a[0].wildcard', 'invalid escape character at position 1']]);
    expect(pathsOf({ a: [{ wildcard: 'a\\' }] })).toEqual(['filter.a[0].wildcard']);
    expect(pathsOf({ a: [{ wildcard: 5 }] })).toEqual(['filter.a[0].wildcard']);
  });

  it('checks CIDR blocks as Event Ruler does', () => {
    expect(pathsOf({ a: [{ cidr: '10.0.0.0' }] })).toEqual(['filter.a[0].cidr']);
    expect(pathsOf({ a: [{ cidr: '10.0.0.0/x' }] })).toEqual(['filter.a[0].cidr']);
    expect(pathsOf({ a: [{ cidr: '10.0.0.0/-1' }] })).toEqual(['filter.a[0].cidr']);
    expect(pathsOf({ a: [{ cidr: '10.0.0.300/8' }] })).toEqual(['filter.a[0].cidr']);
    expect(pathsOf({ a: [{ cidr: 'example.com/8' }] })).toEqual(['filter.a[0].cidr']);
    // Event Ruler takes masks below the address width only.
    expect(pathsOf({ a: [{ cidr: '10.0.0.1/32' }] })).toEqual(['filter.a[0].cidr']);
    expect(pathsOf({ a: [{ cidr: '2001:db8::1/128' }] })).toEqual(['filter.a[0].cidr']);
    expect(pathsOf({ a: [{ cidr: '10.0.0.1/31' }, { cidr: '2001:db8::/127' }] })).toEqual([]);
  });

  it('checks the remaining operators', () => {
    expect(pathsOf({ a: [{ exists: 1 }] })).toEqual(['filter.a[0].exists']);
    expect(pathsOf({ a: [{ prefix: { 'equals-ignore-case': 1 } }] })).toEqual(['filter.a[0].prefix.equals-ignore-case']);
    expect(pathsOf({ a: [{ suffix: { wildcard: 'x' } }] })).toEqual(['filter.a[0].suffix']);
    expect(pathsOf({ a: [{ 'equals-ignore-case': ['x'] }] })).toEqual(['filter.a[0].equals-ignore-case']);
    expect(pathsOf({ a: [{ exactly: 1 }] })).toEqual(['filter.a[0].exactly']);
    expect(pathsOf({ a: [{ regex: '.*' }] })).toEqual(['filter.a[0].regex']);
  });

  it('checks $or', () => {
    expect(pathsOf({ $or: { a: ['x'] } })).toEqual(['filter.$or']);
    expect(pathsOf({ $or: [{ a: ['x'] }] })).toEqual(['filter.$or']);
    expect(pathsOf({ $or: [{ a: ['x'] }, 'b'] })).toEqual(['filter.$or[1]']);
    expect(pathsOf({ $or: [{ numeric: ['x'] }, { b: ['y'] }] })).toEqual(['filter.$or[0].numeric']);
    expect(pathsOf({ $or: [{ a: { prefix: ['x'] } }, { b: ['y'] }] })).toEqual(['filter.$or[0].a.prefix']);
  });

  it('bounds how many branches $or may multiply into', () => {
    const alternatives = Array.from({ length: 11 }, (_, i) => ({ [`f${i}`]: ['x'] }));
    const pattern = { a: { $or: alternatives }, b: { $or: alternatives }, c: { $or: alternatives } };
    expect(pathsOf(pattern)).toEqual(['filter.c.$or']);
    expect(validatePattern({ a: { $or: alternatives }, b: { $or: alternatives } })).toEqual([]);
  });
});
