import { isExactDouble, readJsonNumber } from '../../../src/routing/readJsonNumber';
import { NumberLiteral, PendingNumber } from '../../../src/routing/types';

function settled(text: string): number | NumberLiteral {
  const value = readJsonNumber(text);
  return value instanceof PendingNumber ? value.settle() : value;
}

describe('readJsonNumber', () => {
  it('reads ordinary numbers as numbers, without negative zero', () => {
    expect(settled('5')).toBe(5);
    expect(settled('-1.5e3')).toBe(-1500);
    expect(settled('0.30')).toBe(0.3);
    expect(Object.is(settled('-0'), 0)).toBe(true);
    expect(Object.is(settled('-0.0e5'), 0)).toBe(true);
    expect(settled('-122.42916360922355')).toBe(-122.42916360922355);
    expect(settled('1E+21')).toBe(1e21);
  });

  it('keeps the text of numbers a double cannot hold exactly', () => {
    expect(settled('0.10000000000000000001')).toEqual(new NumberLiteral('0.10000000000000000001'));
    expect(settled('0.10000000000000001')).toEqual(new NumberLiteral('0.10000000000000001'));
    expect(settled('12345678901234567890')).toEqual(new NumberLiteral('12345678901234567890'));
    expect(settled('1e400')).toEqual(new NumberLiteral('1e400'));
    expect(settled('1e-400')).toEqual(new NumberLiteral('1e-400'));
  });

  it('defers the costly check to when a comparison needs it', () => {
    expect(readJsonNumber('-122.42916360922355')).toBeInstanceOf(PendingNumber);
    expect(readJsonNumber('37.5')).toBe(37.5);
  });
});

describe('isExactDouble', () => {
  it('accepts exactly the decimals that are how their double prints', () => {
    expect(isExactDouble('0.1', 0.1)).toBe(true);
    expect(isExactDouble('1.0000', 1)).toBe(true);
    expect(isExactDouble('100e-2', 1)).toBe(true);
    expect(isExactDouble('0.30000000000000004', 0.30000000000000004)).toBe(true);
    expect(isExactDouble('0.3000000000000000444', 0.30000000000000004)).toBe(false);
    expect(isExactDouble('5e-324', 5e-324)).toBe(true);
    expect(isExactDouble('4.9e-324', 5e-324)).toBe(false);
    expect(isExactDouble('9007199254740993', 9007199254740992)).toBe(false);
  });
});
