import { privateTypes } from '../../../src/wiring/ingestFromEnvironment';

describe('SWITCHYARD_PRIVATE_TYPES (the ingest API wiring)', () => {
  it('is none when unset or blank', () => {
    expect(privateTypes({})).toEqual([]);
    expect(privateTypes({ SWITCHYARD_PRIVATE_TYPES: '  ' })).toEqual([]);
  });

  it('reads comma-separated patterns, spaces around them ignored', () => {
    expect(privateTypes({ SWITCHYARD_PRIVATE_TYPES: 'hr.>, payroll.*.created ,audit' })).toEqual(['hr.>', 'payroll.*.created', 'audit']);
  });

  it.each(['hr..x', 'a,,b', '>.a', 'a,'])('refuses %j at start, naming the variable and the pattern', (value) => {
    expect(() => privateTypes({ SWITCHYARD_PRIVATE_TYPES: value })).toThrow(/^environment variable SWITCHYARD_PRIVATE_TYPES must be comma-separated type patterns .*: "[^"]*" /);
  });
});
