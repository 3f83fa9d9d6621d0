import fc from 'fast-check';
import { renderAtomFeed, type AtomFeed } from '../../../src/http/renderAtomFeed';
import { parseAtomFeed } from './parseAtomFeed';

// What an XML 1.0 document can carry of a string: the rest becomes U+FFFD.
const carried = (value: string) => value.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd');

const feed = (overrides: Partial<AtomFeed> = {}): AtomFeed => ({
  id: 'urn:switchyard:feed:x',
  title: 'x',
  updated: '2026-12-06T13:00:00.000Z',
  author: 'Switchyard',
  links: [{ rel: 'self', href: 'http://h/feeds/x', type: 'application/atom+xml' }],
  entries: [],
  ...overrides,
});

describe('renderAtomFeed', () => {
  it('writes the feed and entries in the Atom namespace with every element RFC 4287 requires', () => {
    const xml = renderAtomFeed(
      feed({
        entries: [
          {
            id: 'urn:switchyard:event:evt_1',
            title: 'order.created',
            updated: '2026-12-06T13:00:00.000Z',
            published: '2026-12-06T12:59:59Z',
            author: '/shop',
            links: [{ rel: 'alternate', href: 'http://h/events/1?source=%2Fshop' }],
            categories: [{ term: 'withheld', scheme: 'urn:switchyard:data' }],
            summary: 'order.created 1 from /shop',
            content: { type: 'application/json', base64: 'e30=' },
          },
        ],
      }),
    );
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')).toBe(true);
    expect(parseAtomFeed(xml).entries).toEqual([
      {
        id: 'urn:switchyard:event:evt_1',
        title: 'order.created',
        updated: '2026-12-06T13:00:00.000Z',
        published: '2026-12-06T12:59:59Z',
        author: '/shop',
        links: [{ rel: 'alternate', href: 'http://h/events/1?source=%2Fshop' }],
        categories: [{ term: 'withheld', scheme: 'urn:switchyard:data' }],
        summary: 'order.created 1 from /shop',
        content: { type: 'application/json', text: 'e30=' },
      },
    ]);
  });

  it('carries any text and attribute value through a strict parser unchanged (characters XML cannot hold as U+FFFD)', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', '\r', '\n', '\t', '\r\n', '\u0000', '\ufffe', '\ud800'), fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint))) });
    fc.assert(
      fc.property(text, text, text, text, (title, entryTitle, term, href) => {
        const xml = renderAtomFeed(
          feed({
            title,
            links: [{ rel: 'self', href: `http://h/${href}` }],
            entries: [
              {
                id: 'urn:x:1',
                title: entryTitle,
                updated: '2026-12-06T13:00:00.000Z',
                links: [{ rel: 'alternate', href: `http://h/${href}` }],
                categories: [{ term: `t${term}` }],
              },
            ],
          }),
        );
        const parsed = parseAtomFeed(xml);
        expect(parsed.title).toBe(carried(title));
        expect(parsed.links[0].href).toBe(carried(`http://h/${href}`));
        expect(parsed.entries[0].title).toBe(carried(entryTitle));
        expect(parsed.entries[0].categories[0].term).toBe(carried(`t${term}`));
      }),
      { numRuns: 300 },
    );
  });
});
