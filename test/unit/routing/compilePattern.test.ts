import { compilePattern, type EventPattern, InvalidPatternError } from '../../../src/routing';

/** Matches one event both parsed and as JSON text, insisting the two agree. */
function matches(pattern: EventPattern, event: unknown, json = JSON.stringify(event)): boolean {
  const compiled = compilePattern(pattern);
  const parsed = compiled.matches(event);
  expect(compiled.matchesJson(json)).toBe(parsed);
  return parsed;
}

describe('exact values', () => {
  it('matches a string exactly and case-sensitively', () => {
    expect(matches({ source: ['aws.ec2'] }, { source: 'aws.ec2' })).toBe(true);
    expect(matches({ source: ['aws.ec2'] }, { source: 'AWS.EC2' })).toBe(false);
    expect(matches({ source: ['aws.ec2'] }, { source: 'aws.ec2x' })).toBe(false);
  });

  it('matches when any listed value matches', () => {
    expect(matches({ state: ['running', 'stopped'] }, { state: 'stopped' })).toBe(true);
  });

  it('requires the field to be present', () => {
    expect(matches({ source: ['aws.ec2'] }, { other: 'aws.ec2' })).toBe(false);
  });

  it('matches an empty string only to an empty string', () => {
    expect(matches({ name: [''] }, { name: '' })).toBe(true);
    expect(matches({ name: [''] }, { name: null })).toBe(false);
    expect(matches({ name: [''] }, {})).toBe(false);
  });

  it('matches null only to an explicit null', () => {
    expect(matches({ name: [null] }, { name: null })).toBe(true);
    expect(matches({ name: [null] }, {})).toBe(false);
    expect(matches({ name: [null] }, { name: 'null' })).toBe(false);
  });

  it('matches booleans as literals, not as strings', () => {
    expect(matches({ on: [true] }, { on: true })).toBe(true);
    expect(matches({ on: [true] }, { on: 'true' })).toBe(false);
    expect(matches({ on: ['true'] }, { on: true })).toBe(false);
  });

  it('compares numbers numerically, and never with strings', () => {
    expect(matches({ n: [5] }, { n: 5 })).toBe(true);
    expect(matches({ n: [5] }, { n: 5 }, '{"n": 5.0}')).toBe(true);
    expect(matches({ n: [5] }, { n: 5 }, '{"n": 5e0}')).toBe(true);
    expect(matches({ n: [5] }, { n: '5' })).toBe(false);
    expect(matches({ n: ['5'] }, { n: 5 })).toBe(false);
    expect(matches({ n: [0] }, { n: -0 }, '{"n": -0}')).toBe(true);
  });

  it('compares strings that are IP addresses as addresses', () => {
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '10.0.0.1' })).toBe(true);
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '010.000.000.001' })).toBe(true);
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '::ffff:a00:1' })).toBe(true);
    expect(matches({ ip: ['2001:db8::1'] }, { ip: '2001:DB8:0:0:0:0:0:1' })).toBe(true);
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '10.0.0.2' })).toBe(false);
  });

  it('supports { "exactly": ... } for strings', () => {
    expect(matches({ s: [{ exactly: 'a*' }] }, { s: 'a*' })).toBe(true);
    expect(matches({ s: [{ exactly: 'a*' }] }, { s: 'ab' })).toBe(false);
  });
});

describe('prefix and suffix', () => {
  it('matches string prefixes only', () => {
    expect(matches({ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03' })).toBe(false);
    expect(matches({ n: [{ prefix: '12' }] }, { n: 123 })).toBe(false);
  });

  it('lets an empty prefix match every string but nothing else', () => {
    expect(matches({ s: [{ prefix: '' }] }, { s: '' })).toBe(true);
    expect(matches({ s: [{ prefix: '' }] }, { s: 1 })).toBe(false);
    expect(matches({ s: [{ prefix: '' }] }, { s: null })).toBe(false);
  });

  it('matches string suffixes only', () => {
    expect(matches({ file: [{ suffix: '.png' }] }, { file: 'cat.png' })).toBe(true);
    expect(matches({ file: [{ suffix: '.png' }] }, { file: 'cat.PNG' })).toBe(false);
    expect(matches({ n: [{ suffix: '3' }] }, { n: 123 })).toBe(false);
  });

  it('matches prefixes and suffixes ignoring case', () => {
    expect(matches({ s: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { s: 'eventbridge' })).toBe(true);
    expect(matches({ s: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { s: 'EVENTBRIDGE' })).toBe(true);
    expect(matches({ s: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { s: 'Event' })).toBe(false);
    expect(matches({ f: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { f: 'CAT.PnG' })).toBe(true);
    expect(matches({ f: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { f: 'png' })).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches strings whatever their case', () => {
    expect(matches({ name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'ALICE' })).toBe(true);
    expect(matches({ name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'AlIcE' })).toBe(true);
    expect(matches({ name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'alicia' })).toBe(false);
  });

  it("accepts each character's lower- and upper-case forms, as Event Ruler does", () => {
    // ß upper-cases to SS: both spell the pattern; "ss" is neither form of ß.
    expect(matches({ s: [{ 'equals-ignore-case': 'ß' }] }, { s: 'SS' })).toBe(true);
    expect(matches({ s: [{ 'equals-ignore-case': 'ß' }] }, { s: 'ß' })).toBe(true);
    expect(matches({ s: [{ 'equals-ignore-case': 'ß' }] }, { s: 'ss' })).toBe(false);
    expect(matches({ s: [{ 'equals-ignore-case': 'Straße' }] }, { s: 'STRASSE' })).toBe(true);
    expect(matches({ s: [{ 'equals-ignore-case': 'é' }] }, { s: 'É' })).toBe(true);
  });

  it('never matches numbers', () => {
    expect(matches({ n: [{ 'equals-ignore-case': '5' }] }, { n: 5 })).toBe(false);
  });
});

describe('wildcard', () => {
  it('matches any run of characters for each star', () => {
    expect(matches({ s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueueService' })).toBe(true);
    expect(matches({ s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleService' })).toBe(true);
    expect(matches({ s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleServices' })).toBe(false);
    expect(matches({ s: [{ wildcard: '*/lib/*' }] }, { s: '/usr/lib/x' })).toBe(true);
    expect(matches({ s: [{ wildcard: 'a*b*a' }] }, { s: 'aba' })).toBe(true);
    expect(matches({ s: [{ wildcard: 'a*b*a' }] }, { s: 'ab' })).toBe(false);
  });

  it('lets a lone star match every string but nothing else', () => {
    expect(matches({ s: [{ wildcard: '*' }] }, { s: '' })).toBe(true);
    expect(matches({ s: [{ wildcard: '*' }] }, { s: 7 })).toBe(false);
  });

  it('reads \\* as a star and \\\\ as a backslash', () => {
    expect(matches({ s: [{ wildcard: 'a\\*' }] }, { s: 'a*' })).toBe(true);
    expect(matches({ s: [{ wildcard: 'a\\*' }] }, { s: 'ab' })).toBe(false);
    expect(matches({ s: [{ wildcard: 'a\\\\*' }] }, { s: 'a\\xyz' })).toBe(true);
  });
});

describe('numeric', () => {
  const range = { n: [{ numeric: ['>', 0, '<=', 5] }] };

  it('compares against open and closed bounds', () => {
    expect(matches(range, { n: 0 })).toBe(false);
    expect(matches(range, { n: 0.000001 })).toBe(true);
    expect(matches(range, { n: 5 })).toBe(true);
    expect(matches(range, { n: 5.000001 })).toBe(false);
    expect(matches({ n: [{ numeric: ['>=', 0, '<', 5] }] }, { n: 0 })).toBe(true);
    expect(matches({ n: [{ numeric: ['>=', 0, '<', 5] }] }, { n: 5 })).toBe(false);
  });

  it('supports single comparisons and equality in any spelling', () => {
    expect(matches({ n: [{ numeric: ['<', 10] }] }, { n: -1e300 })).toBe(true);
    expect(matches({ n: [{ numeric: ['>=', 10] }] }, { n: 1e300 })).toBe(true);
    expect(matches({ n: [{ numeric: ['=', 301.8] }] }, { n: 301.8 }, '{"n": 3.018e2}')).toBe(true);
  });

  it('only matches JSON numbers', () => {
    expect(matches(range, { n: '3' })).toBe(false);
    expect(matches(range, { n: true })).toBe(false);
    expect(matches(range, { n: null })).toBe(false);
  });

  it('keeps full double precision', () => {
    const exact = { x: [{ numeric: ['=', -122.42916360922355] }] };
    expect(matches(exact, { x: -122.42916360922355 })).toBe(true);
    expect(matches(exact, { x: -122.42916360922356 })).toBe(false);
    expect(matches({ x: [{ numeric: ['>', 5e9] }] }, { x: 5e9 + 1 })).toBe(true);
  });

  it('does not compare numbers whose text is not exactly a double', () => {
    const compiled = compilePattern({ x: [{ numeric: ['=', 0.1] }] });
    expect(compiled.matchesJson('{"x": 0.1}')).toBe(true);
    expect(compiled.matchesJson('{"x": 0.10000000000000000001}')).toBe(false);
    expect(compiled.matchesJson('{"x": 0.10000000000000001}')).toBe(false);
    expect(compilePattern({ x: [{ exists: true }] }).matchesJson('{"x": 1e400}')).toBe(true);
    expect(compilePattern({ x: [{ 'anything-but': [0.1] }] }).matchesJson('{"x": 0.10000000000000001}')).toBe(true);
  });

  it('matches within arrays when any element is in range', () => {
    expect(matches(range, { n: [10, 20, 3] })).toBe(true);
    expect(matches(range, { n: [10, 20] })).toBe(false);
  });
});

describe('exists', () => {
  it('matches present leaves, null included', () => {
    expect(matches({ c: [{ exists: true }] }, { c: 0 })).toBe(true);
    expect(matches({ c: [{ exists: true }] }, { c: null })).toBe(true);
    expect(matches({ c: [{ exists: true }] }, {})).toBe(false);
  });

  it('matches absent fields with exists: false', () => {
    expect(matches({ c: [{ exists: false }] }, {})).toBe(true);
    expect(matches({ c: [{ exists: false }] }, { c: 'x' })).toBe(false);
    expect(matches({ c: [{ exists: false }] }, { c: null })).toBe(false);
  });

  it('only sees leaves: an object or an empty array is not there', () => {
    expect(matches({ c: [{ exists: true }] }, { c: { c1: 100 } })).toBe(false);
    expect(matches({ c: [{ exists: false }] }, { c: { c1: 100 } })).toBe(true);
    expect(matches({ c: [{ exists: false }] }, { c: [] })).toBe(true);
    expect(matches({ c: [{ exists: true }] }, { c: [] })).toBe(false);
    expect(matches({ c: [{ exists: true }] }, { c: [[], 1] })).toBe(true);
  });

  it('combines with values of the same field as alternatives', () => {
    const pattern = { c: ['x', { exists: false }] };
    expect(matches(pattern, {})).toBe(true);
    expect(matches(pattern, { c: 'x' })).toBe(true);
    expect(matches(pattern, { c: 'y' })).toBe(false);
  });
});

describe('cidr', () => {
  it('matches IPv4 addresses in the block', () => {
    const pattern = { ip: [{ cidr: '10.0.0.0/24' }] };
    expect(matches(pattern, { ip: '10.0.0.0' })).toBe(true);
    expect(matches(pattern, { ip: '10.0.0.255' })).toBe(true);
    expect(matches(pattern, { ip: '10.0.1.0' })).toBe(false);
    expect(matches(pattern, { ip: 'not an ip' })).toBe(false);
    expect(matches(pattern, { ip: 167772161 })).toBe(false);
  });

  it('ignores host bits given in the block address', () => {
    expect(matches({ ip: [{ cidr: '10.0.0.77/24' }] }, { ip: '10.0.0.1' })).toBe(true);
  });

  it('matches IPv6 addresses, in any spelling, and IPv4-mapped ones as IPv4', () => {
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:0DB8:ffff::1' })).toBe(true);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' })).toBe(false);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '10.0.0.1' })).toBe(false);
    expect(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '::ffff:a01:203' })).toBe(true);
  });
});

describe('anything-but', () => {
  it('matches any other value, of any type, but not a missing field', () => {
    const pattern = { state: [{ 'anything-but': 'initializing' }] };
    expect(matches(pattern, { state: 'running' })).toBe(true);
    expect(matches(pattern, { state: 'initializing' })).toBe(false);
    expect(matches(pattern, { state: 5 })).toBe(true);
    expect(matches(pattern, { state: null })).toBe(true);
    expect(matches(pattern, {})).toBe(false);
  });

  it('excludes every listed string', () => {
    const pattern = { state: [{ 'anything-but': ['stopped', 'overloaded'] }] };
    expect(matches(pattern, { state: 'overloaded' })).toBe(false);
    expect(matches(pattern, { state: 'Stopped' })).toBe(true);
  });

  it('excludes numbers numerically, and only numbers', () => {
    const pattern = { x: [{ 'anything-but': [100, 200] }] };
    expect(matches(pattern, { x: 100 }, '{"x": 1e2}')).toBe(false);
    expect(matches(pattern, { x: 101 })).toBe(true);
    expect(matches(pattern, { x: '100' })).toBe(true);
  });

  it('matches an array when any element is not excluded', () => {
    const pattern = { tags: [{ 'anything-but': 'internal' }] };
    expect(matches(pattern, { tags: ['internal', 'public'] })).toBe(true);
    expect(matches(pattern, { tags: ['internal'] })).toBe(false);
    expect(matches(pattern, { tags: [] })).toBe(false);
  });

  it('excludes ignoring case, by prefix, by suffix and by wildcard, singly or as lists', () => {
    expect(matches({ s: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { s: 'INITIALIZING' })).toBe(false);
    expect(matches({ s: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] }, { s: 'B' })).toBe(false);
    expect(matches({ s: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] }, { s: 'c' })).toBe(true);
    expect(matches({ r: [{ 'anything-but': { prefix: 'us-' } }] }, { r: 'us-east-1' })).toBe(false);
    expect(matches({ r: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] }, { r: 'ap-southeast-2' })).toBe(true);
    expect(matches({ f: [{ 'anything-but': { suffix: '.png' } }] }, { f: 'a.png' })).toBe(false);
    expect(matches({ f: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] }, { f: 'a.gif' })).toBe(true);
    expect(matches({ p: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { p: '/usr/lib/x' })).toBe(false);
    expect(matches({ p: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { p: '/usr/share/x' })).toBe(true);
  });

  it('lets non-strings through the string forms', () => {
    expect(matches({ s: [{ 'anything-but': { prefix: '1' } }] }, { s: 123 })).toBe(true);
    expect(matches({ s: [{ 'anything-but': { wildcard: '*' } }] }, { s: false })).toBe(true);
    expect(matches({ s: [{ 'anything-but': { wildcard: '*' } }] }, { s: 'anything' })).toBe(false);
  });
});

describe('$or', () => {
  it('matches when any alternative matches, alongside the other fields', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch' })).toBe(false);
    expect(matches(pattern, { source: 'aws.ec2', namespace: 'AWS/ES' })).toBe(false);
  });

  it('nests, and combines alternatives inside nested objects', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
      detail: { $or: [{ a: [1] }, { b: [2] }] },
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1000, detail: { b: 2 } })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', detail: { b: 2 } })).toBe(false);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'CPUUtilization', detail: { c: 2 } })).toBe(false);
  });

  it('lets an alternative override a field given outside it, as Event Ruler does', () => {
    const pattern = { a: ['x'], $or: [{ a: ['y'] }, { b: ['z'] }] };
    expect(matches(pattern, { a: 'y' })).toBe(true);
    expect(matches(pattern, { a: 'x', b: 'z' })).toBe(true);
    expect(matches(pattern, { a: 'x' })).toBe(false);
  });
});

describe('nested objects, arrays and field names', () => {
  it('matches nested fields by their path', () => {
    expect(matches({ detail: { state: ['running'] } }, { detail: { state: 'running' } })).toBe(true);
    expect(matches({ detail: { state: ['running'] } }, { state: 'running' })).toBe(false);
  });

  it('matches an event array when it shares a value with the pattern', () => {
    const pattern = { resources: ['arn:1', 'arn:2'] };
    expect(matches(pattern, { resources: ['arn:0', 'arn:2'] })).toBe(true);
    expect(matches(pattern, { resources: ['arn:0'] })).toBe(false);
  });

  it('walks through arrays of objects and of arrays', () => {
    const event = { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] };
    expect(matches({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Zoe'] } }, event)).toBe(false);
  });

  it('takes the fields matched in one array of objects from a single element', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
  });

  it('judges exists: false against the array element chosen for earlier fields', () => {
    const event = { a: [{ b: 1 }, { c: 2 }] };
    // Fields are taken in path order: a.b picks element 0, where a.c is absent.
    expect(matches({ a: { b: [1], c: [{ exists: false }] } }, event)).toBe(true);
    // a.b comes first here, checked before any element is chosen: it exists.
    expect(matches({ a: { b: [{ exists: false }], c: [2] } }, event)).toBe(false);
  });

  it('reads dotted keys as nested fields, as Event Ruler does', () => {
    expect(matches({ detail: { state: ['on'] } }, { 'detail.state': 'on' })).toBe(true);
    expect(matches({ 'detail.state': ['on'] }, { detail: { state: 'on' } })).toBe(true);
  });
});

describe('compilePattern', () => {
  it('refuses an invalid pattern with every error and its path', () => {
    let thrown: unknown;
    try {
      compilePattern({ data: { total: [{ numeric: '>' }], n: [] } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPatternError);
    expect((thrown as InvalidPatternError).errors.map((e) => e.path)).toEqual(['filter.data.total[0].numeric', 'filter.data.n']);
  });

  it('keeps the pattern it was given', () => {
    const pattern = { a: ['x'] };
    expect(compilePattern(pattern).pattern).toBe(pattern);
  });
});
