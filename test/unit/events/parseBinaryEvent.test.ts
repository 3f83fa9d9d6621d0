import { hasBinaryHeaders, parseBinaryEvent } from '../../../src/events/parseBinaryEvent';

const BINARY = { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' };

describe('hasBinaryHeaders', () => {
  it('detects any ce-* header', () => {
    expect(hasBinaryHeaders({ 'content-type': 'application/json', 'ce-id': '1' })).toBe(true);
  });

  it('ignores headers that are absent or not ce-*', () => {
    expect(hasBinaryHeaders({ 'content-type': 'application/json', 'ce-id': undefined, cee: 'x' })).toBe(false);
  });
});

describe('parseBinaryEvent', () => {
  it('lets Content-Type win over a ce-datacontenttype header', () => {
    const { event } = parseBinaryEvent({ ...BINARY, 'ce-datacontenttype': 'text/plain', 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(event).toMatchObject({ datacontenttype: 'application/json', data: {} });
  });

  it('falls back to ce-datacontenttype without a Content-Type', () => {
    const { event } = parseBinaryEvent({ ...BINARY, 'ce-datacontenttype': 'text/plain' }, Buffer.from('hi'));
    expect(event).toMatchObject({ datacontenttype: 'text/plain', data: 'hi' });
  });

  it('keeps a UTF-8 byte order mark in text data so the bytes survive', () => {
    const { event } = parseBinaryEvent({ ...BINARY, 'content-type': 'text/plain' }, Buffer.from('\ufeffhi', 'utf8'));
    expect(event.data).toBe('\ufeffhi');
  });

  it('defines a ce-__proto__ attribute as an own property, never touching the prototype', () => {
    const { event } = parseBinaryEvent({ ...BINARY, 'ce-__proto__': 'polluted' }, Buffer.alloc(0));
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.hasOwn(event, '__proto__')).toBe(true);
  });

  it('uses the index it is given in its errors', () => {
    expect(parseBinaryEvent({ ...BINARY, 'ce-data_base64': 'AA==' }, Buffer.alloc(0), 7).errors).toEqual([
      { index: 7, field: 'data_base64', message: expect.stringContaining('in binary mode the body is the data') },
    ]);
  });

  it('reports JSON data that is not UTF-8', () => {
    const { errors } = parseBinaryEvent({ ...BINARY, 'content-type': 'application/json' }, Buffer.from([0x22, 0xff, 0x22]));
    expect(errors).toEqual([{ index: 0, field: 'data', message: 'is not valid UTF-8, which application/json requires' }]);
  });
});
