import { fromPageUpEnvelope } from '../../../src/events/fromPageUpEnvelope';
import { validateCloudEvent } from '../../../src/events/validateCloudEvent';
import { goodEnvelope } from './fixtures';

describe('fromPageUpEnvelope', () => {
  it('maps MessageId, Origin, MessageType, TransportTimeStamp, CorrelationId, InstanceId and Body onto a CloudEvent', () => {
    expect(fromPageUpEnvelope(goodEnvelope(), 0)).toEqual({
      specversion: '1.0',
      id: 'a9757a12-a80e-4e32-9bab-e3d65a4b3a92',
      source: 'pageup-recruitment',
      type: 'candidate-created',
      time: '2017-07-21T00:28:54.2282942Z',
      correlationid: 'd3e35fe4-ad84-46c0-b54f-3a6dc779630d',
      instanceid: 'instance-42',
      datacontenttype: 'application/json',
      data: { contents: 'bodycontents' },
    });
  });

  it('produces an event that passes CloudEvents validation', () => {
    expect(validateCloudEvent(fromPageUpEnvelope(goodEnvelope(), 0), 0)).toEqual([]);
  });

  it('leaves out UserId and Metadata', () => {
    const event = fromPageUpEnvelope(goodEnvelope(), 0);
    expect(JSON.stringify(event)).not.toContain('user-7');
    expect(JSON.stringify(event)).not.toContain('metaheader1');
  });

  it('reads the correlation id from the outer Header when Message.Header has none (older envelopes)', () => {
    const envelope = goodEnvelope();
    delete envelope.Message.Header.CorrelationId;
    envelope.Header.CorrelationId = 'outer-correlation';
    expect(fromPageUpEnvelope(envelope, 0)).toMatchObject({ correlationid: 'outer-correlation' });
  });

  it('prefers Message.Header.CorrelationId over Header.CorrelationId', () => {
    const envelope = goodEnvelope();
    envelope.Header.CorrelationId = 'outer-correlation';
    expect(fromPageUpEnvelope(envelope, 0)).toMatchObject({ correlationid: 'd3e35fe4-ad84-46c0-b54f-3a6dc779630d' });
  });

  it('omits correlationid, instanceid and time when the envelope has none', () => {
    const envelope = goodEnvelope();
    delete envelope.Message.Header.CorrelationId;
    delete envelope.Header.InstanceId;
    delete envelope.Header.TransportTimeStamp;
    const event = fromPageUpEnvelope(envelope, 0) as Record<string, unknown>;
    expect(event.correlationid).toBeUndefined();
    expect(event.instanceid).toBeUndefined();
    expect(event.time).toBeUndefined();
  });

  it.each([
    ['a UTC .NET round-trip stamp', '2017-07-21T00:28:54.2282942Z', '2017-07-21T00:28:54.2282942Z'],
    ['an unspecified-kind stamp (UTC assumed)', '2017-07-21T00:28:54.2282942', '2017-07-21T00:28:54.2282942Z'],
    ['an offset stamp', '2017-07-21T10:28:54.1+10:00', '2017-07-21T10:28:54.1+10:00'],
    ['an offset without a colon', '2017-07-21T10:28:54+1000', '2017-07-21T10:28:54+10:00'],
    ['an hour-only offset', '2017-07-21T10:28:54-05', '2017-07-21T10:28:54-05:00'],
    ['a space separator and lower-case z', '2017-07-21 00:28:54z', '2017-07-21T00:28:54Z'],
    ['a stamp without seconds', '2017-07-21T00:28', '2017-07-21T00:28:00Z'],
  ])('normalises %s to RFC 3339', (_label, stamp, time) => {
    const envelope = goodEnvelope();
    envelope.Header.TransportTimeStamp = stamp;
    expect(fromPageUpEnvelope(envelope, 0)).toMatchObject({ time });
  });

  it.each(['yesterday', '2017-02-30T00:00:00Z', '21/07/2017 00:28:54', '2017-07-21T25:00:00Z'])(
    'reports the TransportTimeStamp %j that is not a date-time under its PageUp path',
    (stamp) => {
      const envelope = goodEnvelope();
      envelope.Header.TransportTimeStamp = stamp;
      expect(fromPageUpEnvelope(envelope, 2)).toEqual([
        { index: 2, field: 'Header.TransportTimeStamp', message: expect.stringContaining('must be an ISO 8601 date-time') },
      ]);
    },
  );

  it.each([
    ['Message.Header.MessageType', (envelope: any) => delete envelope.Message.Header.MessageType],
    ['Message.Header.MessageId', (envelope: any) => delete envelope.Message.Header.MessageId],
    ['Header.Origin', (envelope: any) => delete envelope.Header.Origin],
    ['Message.Body', (envelope: any) => delete envelope.Message.Body],
    ['Message.Body', (envelope: any) => (envelope.Message.Body = null)],
    ['Message.Header.MessageId', (envelope: any) => (envelope.Message.Header.MessageId = null)],
  ])('reports a missing %s as required', (path, mutate) => {
    const envelope = goodEnvelope();
    mutate(envelope);
    expect(fromPageUpEnvelope(envelope, 1)).toEqual([{ index: 1, field: path, message: 'required' }]);
  });

  it('reports every required field when Header and Message are missing', () => {
    expect(fromPageUpEnvelope({}, 0)).toEqual([
      { index: 0, field: 'Message.Header.MessageId', message: 'required' },
      { index: 0, field: 'Header.Origin', message: 'required' },
      { index: 0, field: 'Message.Header.MessageType', message: 'required' },
      { index: 0, field: 'Message.Body', message: 'required' },
    ]);
  });

  it('reports a field of the wrong type under its PageUp path', () => {
    const envelope = goodEnvelope();
    envelope.Message.Header.MessageId = 1234;
    expect(fromPageUpEnvelope(envelope, 0)).toEqual([{ index: 0, field: 'Message.Header.MessageId', message: 'must be a string (got number)' }]);
  });

  it('reports CloudEvents rule failures under the PageUp path they came from', () => {
    const envelope = goodEnvelope();
    envelope.Header.Origin = 'not a uri';
    envelope.Message.Header.MessageType = 'bad\ttype';
    expect(fromPageUpEnvelope(envelope, 0)).toEqual([
      { index: 0, field: 'Header.Origin', message: expect.stringContaining('URI-reference') },
      { index: 0, field: 'Message.Header.MessageType', message: 'must not contain control characters' },
    ]);
  });

  it.each([null, 'envelope', [goodEnvelope()], 3])('reports %j as not an envelope', (body) => {
    expect(fromPageUpEnvelope(body, 0)).toEqual([{ index: 0, field: 'envelope', message: expect.stringContaining('JSON object') }]);
  });

  it('accepts a non-object Body as JSON data', () => {
    const envelope = goodEnvelope();
    envelope.Message.Body = 'plain';
    expect(fromPageUpEnvelope(envelope, 0)).toMatchObject({ data: 'plain', datacontenttype: 'application/json' });
  });
});
