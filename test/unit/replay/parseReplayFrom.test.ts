import fc from 'fast-check';
import { InvalidReplayError } from '../../../src/replay/errors';
import { parseReplayFrom, parseReplayTime } from '../../../src/replay/parseReplayFrom';

describe('parseReplayFrom', () => {
  test('digits only are a stream sequence number, kept as written', () => {
    expect(parseReplayFrom('49590338271490256608559692538361571095921575989136588898')).toEqual({
      kind: 'sequence',
      sequence: '49590338271490256608559692538361571095921575989136588898',
    });
    fc.assert(fc.property(fc.stringMatching(/^\d{1,128}$/), (digits) => expect(parseReplayFrom(digits)).toEqual({ kind: 'sequence', sequence: digits })));
  });

  test('an ISO time with its zone, or a bare date (midnight UTC), becomes UTC ISO', () => {
    expect(parseReplayFrom('2026-12-06T13:45:00Z')).toEqual({ kind: 'time', iso: '2026-12-06T13:45:00.000Z' });
    expect(parseReplayFrom('2026-12-06T23:45:00.5+10:00')).toEqual({ kind: 'time', iso: '2026-12-06T13:45:00.500Z' });
    expect(parseReplayFrom('2026-12-06T13:45-0130')).toEqual({ kind: 'time', iso: '2026-12-06T15:15:00.000Z' });
    expect(parseReplayFrom('2026-12-06')).toEqual({ kind: 'time', iso: '2026-12-06T00:00:00.000Z' });
  });

  test('any instant written as UTC ISO reads back as that instant', () => {
    const instants = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(fc.property(instants, (date) => expect(parseReplayFrom(date.toISOString())).toEqual({ kind: 'time', iso: date.toISOString() })));
  });

  test.each([
    ['yesterday'],
    [''],
    ['2026-12-06T13:45:00'], // a time without its zone
    ['2026-02-30'], // no such day
    ['2026-13-01'],
    ['2026-12-06T24:00:00Z'],
    ['2026-12-06T13:60:00Z'],
    ['12/06/2026'],
    ['-1'],
    ['1e9'],
  ])('refuses %j, naming --from and both accepted forms', (value) => {
    expect(() => parseReplayFrom(value)).toThrow(InvalidReplayError);
    expect(() => parseReplayFrom(value)).toThrow(`--from must be an ISO 8601 time such as 2026-12-06T13:45:00Z (a time needs its zone, Z or ±hh:mm) or a stream sequence number (digits only), got ${JSON.stringify(value)}`);
  });

  test('never throws anything but InvalidReplayError, and what it accepts is a sequence or a valid UTC ISO time', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        let start;
        try {
          start = parseReplayFrom(value);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidReplayError);
          expect((error as InvalidReplayError).field).toBe('from');
          return;
        }
        if (start.kind === 'sequence') expect(start.sequence).toMatch(/^\d+$/);
        else expect(new Date(start.iso).toISOString()).toBe(start.iso);
      }),
    );
  });

  test('--to names itself and offers no sequence number', () => {
    expect(() => parseReplayTime('to', '123')).toThrow('--to must be an ISO 8601 time such as 2026-12-06T13:45:00Z (a time needs its zone, Z or ±hh:mm), got "123"');
  });
});
