import { serializedSize } from '../../../src/events/serializedSize';

describe('serializedSize', () => {
  it('counts the UTF-8 bytes of the JSON form', () => {
    expect(serializedSize({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(serializedSize({ a: '😀' })).toBe(12);
  });

  it('counts nothing for undefined', () => {
    expect(serializedSize(undefined)).toBe(0);
  });
});
