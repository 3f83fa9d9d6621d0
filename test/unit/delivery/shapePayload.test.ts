import { randomBytes } from 'node:crypto';
import Cryptr from 'cryptr';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import type { CloudEventJson } from '../../../src/events/types';
import type { SecretRef } from '../../../src/routing/subscriptionTypes';
import { shapePayload } from '../../../src/delivery/shapePayload';
import { DeliveryError, PayloadEncryptionError } from '../../../src/delivery/errors';
import { makeEvent } from '../../helpers/cloudEvents';

const JWE_KEY = randomBytes(32);
const secrets: Record<string, string> = { jweKey: JWE_KEY.toString('base64'), passphrase: 'correct horse battery staple' };
const resolveSecret = async (ref: SecretRef) => {
  const name = typeof ref === 'string' ? ref : 'env' in ref ? ref.env : '';
  if (!(name in secrets)) throw new Error(`no secret ${name}`);
  return secrets[name];
};
const jwe = { payload: 'encrypted', encryption: { format: 'jwe', key: { env: 'jweKey' } } } as const;
const cryptr = { payload: 'encrypted', encryption: { format: 'cryptr', key: { env: 'passphrase' } } } as const;

async function openJwe(shaped: CloudEventJson, key: Uint8Array = JWE_KEY): Promise<Buffer> {
  const { plaintext } = await compactDecrypt(shaped.data as string, key);
  return Buffer.from(plaintext);
}

describe('shapePayload', () => {
  it('delivers a full event unchanged', async () => {
    const event = makeEvent();
    await expect(shapePayload(event, { payload: 'full' }, resolveSecret)).resolves.toBe(event);
  });

  it('drops data and data_base64 for metadata, keeping every attribute and extension', async () => {
    const event = makeEvent({ partitionkey: 'k1', subject: 'order/1' });
    const shaped = await shapePayload(event, { payload: 'metadata' }, resolveSecret);
    const { data: _data, ...attributes } = event;
    expect(shaped).toEqual(attributes);
    expect(event.data).toBeDefined(); // the engine's copy is untouched

    const binary = makeEvent({ data: undefined, data_base64: Buffer.from([0, 1, 2]).toString('base64'), datacontenttype: 'application/octet-stream' });
    expect(await shapePayload(binary, { payload: 'metadata' }, resolveSecret)).not.toHaveProperty('data_base64');
  });

  it('seals JSON data as a compact JWE (dir, A256GCM) that jose opens with the key', async () => {
    const event = makeEvent({ data: { orderId: 7, total: 250 } });
    const shaped = await shapePayload(event, jwe, resolveSecret);
    expect(typeof shaped.data).toBe('string');
    expect((shaped.data as string).split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(shaped.data as string)).toEqual({ alg: 'dir', enc: 'A256GCM', cty: 'application/json' });
    expect(shaped).toMatchObject({ id: event.id, source: event.source, type: event.type, datacontenttype: 'application/jose', plaincontenttype: 'application/json', dataencryption: 'jwe' });
    expect(JSON.parse((await openJwe(shaped)).toString('utf8'))).toEqual({ orderId: 7, total: 250 });
  });

  it('seals the bytes of data_base64, and text data as its text', async () => {
    const bytes = randomBytes(64);
    const binary = makeEvent({ data: undefined, data_base64: bytes.toString('base64'), datacontenttype: 'application/octet-stream' });
    const sealedBinary = await shapePayload(binary, jwe, resolveSecret);
    expect(sealedBinary).not.toHaveProperty('data_base64');
    expect(sealedBinary.plaincontenttype).toBe('application/octet-stream');
    expect((await openJwe(sealedBinary)).equals(bytes)).toBe(true);

    const text = makeEvent({ data: 'hello, world', datacontenttype: 'text/plain' });
    expect((await openJwe(await shapePayload(text, jwe, resolveSecret))).toString()).toBe('hello, world');
  });

  it('accepts the key as base64url', async () => {
    secrets.jweKeyUrl = JWE_KEY.toString('base64url');
    const shaped = await shapePayload(makeEvent({ data: { a: 1 } }), { ...jwe, encryption: { format: 'jwe', key: { env: 'jweKeyUrl' } } }, resolveSecret);
    expect(JSON.parse((await openJwe(shaped)).toString())).toEqual({ a: 1 });
  });

  it('seals in the cryptr format that new Cryptr(passphrase).decrypt opens', async () => {
    const event = makeEvent({ data: { formId: 'f-1', submission: { name: 'Ada' } } });
    const shaped = await shapePayload(event, cryptr, resolveSecret);
    expect(shaped).toMatchObject({ datacontenttype: 'text/plain', plaincontenttype: 'application/json', dataencryption: 'cryptr' });
    expect(shaped.data).toMatch(/^[0-9a-f]+$/);
    expect(JSON.parse(new Cryptr(secrets.passphrase).decrypt(shaped.data as string))).toEqual(event.data);
  });

  it('leaves an event without data as it is', async () => {
    const event = makeEvent({ data: undefined });
    await expect(shapePayload(event, jwe, resolveSecret)).resolves.toBe(event);
  });

  // One mutation per test, from the good fixture.
  it('does not open when one character of the ciphertext changes', async () => {
    const shaped = await shapePayload(makeEvent(), jwe, resolveSecret);
    const parts = (shaped.data as string).split('.');
    parts[3] = (parts[3][0] === 'A' ? 'B' : 'A') + parts[3].slice(1);
    await expect(compactDecrypt(parts.join('.'), JWE_KEY)).rejects.toThrow();
  });

  it('does not open with another key', async () => {
    const shaped = await shapePayload(makeEvent(), jwe, resolveSecret);
    await expect(compactDecrypt(shaped.data as string, randomBytes(32))).rejects.toThrow();
  });

  it('does not open cryptr output with another passphrase', async () => {
    const shaped = await shapePayload(makeEvent(), cryptr, resolveSecret);
    expect(() => new Cryptr('wrong passphrase').decrypt(shaped.data as string)).toThrow();
  });

  it('refuses a jwe key that is not 32 bytes, saying so without quoting it', async () => {
    secrets.shortKey = randomBytes(16).toString('base64');
    const error = await shapePayload(makeEvent(), { ...jwe, encryption: { format: 'jwe', key: { env: 'shortKey' } } }, resolveSecret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadEncryptionError);
    expect(String(error)).toContain('must decode to 32 bytes (A256GCM); it decodes to 16');
    expect(String(error)).not.toContain(secrets.shortKey);

    secrets.notBase64 = 'this is a passphrase, not a key';
    await expect(shapePayload(makeEvent(), { ...jwe, encryption: { format: 'jwe', key: { env: 'notBase64' } } }, resolveSecret)).rejects.toThrow('it is not base64');
  });

  it('refuses encrypted without delivery.encryption', async () => {
    await expect(shapePayload(makeEvent(), { payload: 'encrypted' }, resolveSecret)).rejects.toThrow(PayloadEncryptionError);
  });

  it('reports an unresolvable key as retryable', async () => {
    const error = await shapePayload(makeEvent(), { ...jwe, encryption: { format: 'jwe', key: { env: 'missing' } } }, resolveSecret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ reason: 'secret', retryable: true });
  });
});
