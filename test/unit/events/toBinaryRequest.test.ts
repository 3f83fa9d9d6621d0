import { toBinaryRequest } from '../../../src/events/toBinaryRequest';
import { goodEvent, goodEventWithout } from './fixtures';

describe('toBinaryRequest', () => {
  it('puts attributes in percent-encoded ce-* headers and JSON data in the body', () => {
    const { headers, body } = toBinaryRequest(goodEvent({ subject: 'café 1' }));
    expect(headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'order-1042',
      'ce-source': '/shop/orders',
      'ce-type': 'com.example.orders.created',
      'ce-subject': 'caf%C3%A9%201',
      'ce-time': '2024-05-01T12:00:00.123Z',
      'ce-dataschema': 'https://schemas.example.com/orders/created.json',
      'ce-tenant': 'acme',
      'content-type': 'application/json',
    });
    expect(JSON.parse(body.toString('utf8'))).toEqual({ total: 120, currency: 'AUD' });
  });

  it('sends data_base64 as its bytes', () => {
    const event = { ...goodEventWithout('data'), datacontenttype: 'image/png', data_base64: 'AAEC/w==' };
    expect(toBinaryRequest(event as never).body).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('sends string data of a text type as its UTF-8 text', () => {
    const { headers, body } = toBinaryRequest(goodEvent({ datacontenttype: 'text/plain', data: 'héllo' }));
    expect(headers['content-type']).toBe('text/plain');
    expect(body.toString('utf8')).toBe('héllo');
  });

  it('sends data without datacontenttype as application/json, as the JSON event format implies', () => {
    const { headers, body } = toBinaryRequest({ ...goodEventWithout('datacontenttype'), data: 'quoted' } as never);
    expect(headers['content-type']).toBe('application/json');
    expect(body.toString('utf8')).toBe('"quoted"');
  });

  it('writes boolean and integer extensions as their string form', () => {
    const { headers } = toBinaryRequest(goodEvent({ sampled: true, retries: 3 }));
    expect(headers).toMatchObject({ 'ce-sampled': 'true', 'ce-retries': '3' });
  });

  it('sends an empty body and no content type for an event without data', () => {
    const { headers, body } = toBinaryRequest({ specversion: '1.0', id: '1', source: '/s', type: 't' });
    expect(body.length).toBe(0);
    expect(headers['content-type']).toBeUndefined();
  });
});
