import { addCredential, revokeCredential } from '../../../src/auth/editCredentials';
import { hashToken } from '../../../src/auth/hashToken';
import { emptyCredentialsDocument, parseCredentialsDocument } from '../../../src/auth/parseCredentialsDocument';

const HASH = hashToken('t');
const parse = (value: unknown) => () => parseCredentialsDocument(JSON.stringify(value), 'secret s');

describe('parseCredentialsDocument', () => {
  it('reads producers and readers, missing sections as empty', () => {
    expect(parseCredentialsDocument('{}', 'f')).toEqual({ producers: {}, readers: {} });
    const document = { producers: { shop: { tokenHashes: [HASH], sources: ['/shop'], types: ['order.>'], iamPrincipals: ['arn:aws:iam::1:role/x'] } }, readers: { r: { tokenHashes: [], types: ['>'] } } };
    expect(parseCredentialsDocument(JSON.stringify(document), 'f')).toEqual(document);
  });

  test.each([
    [[], 'secret s: (document) must be a JSON object {"producers": {…}, "readers": {…}}'],
    [{ producers: { shop: { tokenHashes: ['plain'], sources: [], types: [] } } }, 'secret s: producers.shop.tokenHashes[0] must be a token hash "sha256:<64 lower-case hex>" (switchyard producers add writes them)'],
    [{ producers: { shop: { tokenHashes: [], sources: [''], types: [] } } }, 'secret s: producers.shop.sources[0] must not be empty (use "*" for any source)'],
    [{ producers: { shop: { tokenHashes: [], sources: [], types: ['a.>.b'] } } }, 'secret s: producers.shop.types[0] is not a type pattern: ">" must be the last token ("a.>.b")'],
    [{ producers: { shop: { tokenHashes: [], sources: [], types: [], iamPrincipals: ['role/x'] } } }, 'secret s: producers.shop.iamPrincipals[0] must be an IAM or STS ARN, e.g. arn:aws:iam::123456789012:role/shop'],
    [{ producers: { shop: { tokenHashes: [], sources: [] } } }, 'secret s: producers.shop.types must be an array of strings'],
    [{ readers: { r: { tokenHashes: [], types: [], sources: [] } } }, 'secret s: readers.r.sources is not a field of this entry; use tokenHashes, types'],
    [{ readers: { 'a b': { tokenHashes: [], types: [] } } }, 'secret s: readers.a b is not a valid name: letters, digits, ".", "_", "-", at most 64'],
  ])('refuses %j naming the field', (value, message) => expect(parse(value)).toThrow(message));

  it('never repeats a value in its messages (a mistyped field may hold a token)', () => {
    expect(parse({ producers: { shop: { tokenHashes: ['sy_secret-token-value'], sources: [], types: [] } } })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('sy_secret') }));
  });
});

describe('addCredential and revokeCredential', () => {
  it('adds a producer with a new token kept only as its hash, and refuses a name in use', () => {
    const { document, token } = addCredential(emptyCredentialsDocument(), { name: 'shop', sources: ['/shop'], types: ['order.>'] });
    expect(token).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(document.producers.shop).toEqual({ tokenHashes: [hashToken(token)], sources: ['/shop'], types: ['order.>'] });
    expect(JSON.stringify(document)).not.toContain(token);
    expect(() => addCredential(document, { name: 'shop', reader: true, types: ['>'] })).toThrow('shop exists already: revoke it first (switchyard producers revoke shop)');
    const withReader = addCredential(document, { name: 'analytics', reader: true, types: ['order.>'] });
    expect(withReader.document.readers.analytics.types).toEqual(['order.>']);
    expect(withReader.token).not.toBe(token);

    expect(revokeCredential(withReader.document, 'shop')).toEqual({ producers: {}, readers: withReader.document.readers });
    expect(revokeCredential(withReader.document, 'nobody')).toBeUndefined();
  });
});
