/**
 * Parses an Atom document back with a strict XML parser (sax, namespace-aware) and checks the RFC 4287 rules a feed
 * of the bus could break, throwing a message naming the rule. Returns the feed as plain values.
 */
interface SaxParser {
  onerror: (error: Error) => void;
  onopentag: (tag: { name: string; local: string; uri: string; attributes: Record<string, { value: string; local: string }> }) => void;
  onclosetag: () => void;
  ontext: (text: string) => void;
  oncdata: (text: string) => void;
  write(xml: string): SaxParser;
  close(): void;
}
// sax (a devDependency: a strict, namespace-aware XML parser for the tests); typed here for the few calls made.
const sax = require('sax') as { parser(strict: boolean, options: { xmlns: boolean }): SaxParser };

const ATOM = 'http://www.w3.org/2005/Atom';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

export interface XmlElement {
  name: string;
  uri: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface AtomLinkValue {
  rel: string;
  href: string;
  type?: string;
}

export interface AtomEntryValue {
  id: string;
  title: string;
  updated: string;
  published?: string;
  author?: string;
  links: AtomLinkValue[];
  categories: Record<string, string>[];
  summary?: string;
  content?: { type: string; text: string };
}

export interface AtomFeedValue {
  id: string;
  title: string;
  updated: string;
  authors: string[];
  links: AtomLinkValue[];
  entries: AtomEntryValue[];
}

export function parseXml(xml: string): XmlElement {
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16)} is not allowed in XML 1.0`);
  // sax accepts some of what XML forbids or normalises in attribute values (a raw `<`, a bare `&`, raw whitespace
  // that a conforming parser turns into spaces), so those are checked on the raw tags.
  for (const [tag] of xml.matchAll(/<[A-Za-z][^>]*>/g)) {
    for (const [, value] of tag.matchAll(/\s[\w:-]+="([^"]*)"/g)) {
      if (/[<\t\n\r]/.test(value) || /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);)/.test(value)) {
        throw new Error(`attribute value ${JSON.stringify(value)} holds a raw <, a bare & or whitespace XML would normalise`);
      }
    }
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const parser = sax.parser(true, { xmlns: true });
  parser.onerror = (error) => {
    throw error;
  };
  parser.onopentag = (tag) => {
    const element: XmlElement = { name: tag.local, uri: tag.uri, attributes: {}, children: [], text: '' };
    for (const attribute of Object.values(tag.attributes)) if (attribute.local !== 'xmlns') element.attributes[attribute.local] = attribute.value;
    if (stack.length === 0) root = element;
    else stack.at(-1)!.children.push(element);
    stack.push(element);
  };
  parser.onclosetag = () => void stack.pop();
  parser.ontext = (text) => {
    if (stack.length > 0) stack.at(-1)!.text += text;
    else if (text.trim() !== '') throw new Error('text outside the root element');
  };
  parser.oncdata = (text) => {
    stack.at(-1)!.text += text;
  };
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return root;
}

export function parseAtomFeed(xml: string): AtomFeedValue {
  const feed = parseXml(xml);
  if (feed.name !== 'feed' || feed.uri !== ATOM) throw new Error(`root is ${feed.uri} ${feed.name}, not an Atom feed`);
  for (const child of feed.children) if (child.uri !== ATOM) throw new Error(`element ${child.name} outside the Atom namespace`);
  const entries = feed.children.filter((child) => child.name === 'entry').map(entryOf);
  const authors = feed.children.filter((child) => child.name === 'author').map(personName);
  if (authors.length === 0 && entries.some((entry) => entry.author === undefined)) throw new Error('feed without author, and an entry without one (RFC 4287 §4.1.1)');
  const links = feed.children.filter((child) => child.name === 'link').map(linkOf);
  checkAlternates(links, 'feed');
  return { id: iri(one(feed, 'id').text, 'feed id'), title: one(feed, 'title').text, updated: date(one(feed, 'updated').text, 'feed updated'), authors, links, entries };
}

function entryOf(entry: XmlElement): AtomEntryValue {
  const links = entry.children.filter((child) => child.name === 'link').map(linkOf);
  checkAlternates(links, 'entry');
  const contentElement = optional(entry, 'content');
  const content = contentElement ? { type: contentElement.attributes.type ?? 'text', text: contentElement.text } : undefined;
  const summary = optional(entry, 'summary')?.text;
  if (!content && !links.some((link) => link.rel === 'alternate')) throw new Error('entry without content nor an alternate link (RFC 4287 §4.1.1)');
  if (content && !['text', 'html', 'xhtml'].includes(content.type) && !/^text\/|[/+]xml$/i.test(content.type)) {
    if (!/^[^/]+\/[^/]+$/.test(content.type)) throw new Error(`content type ${content.type} is not a media type`);
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(content.text.replace(/\s/g, ''))) {
      throw new Error(`content of type ${content.type} is not base64 (RFC 4287 §4.1.3.3)`);
    }
    if (summary === undefined) throw new Error('base64 content without a summary (RFC 4287 §4.1.1.1)');
  }
  const published = optional(entry, 'published')?.text;
  const authorElement = optional(entry, 'author');
  return {
    id: iri(one(entry, 'id').text, 'entry id'),
    title: one(entry, 'title').text,
    updated: date(one(entry, 'updated').text, 'entry updated'),
    ...(published !== undefined ? { published: date(published, 'entry published') } : {}),
    ...(authorElement ? { author: personName(authorElement) } : {}),
    links,
    categories: entry.children.filter((child) => child.name === 'category').map((category) => {
      if (!category.attributes.term) throw new Error('category without term');
      return category.attributes;
    }),
    ...(summary !== undefined ? { summary } : {}),
    ...(content ? { content } : {}),
  };
}

function one(parent: XmlElement, name: string): XmlElement {
  const found = parent.children.filter((child) => child.name === name);
  if (found.length !== 1) throw new Error(`${parent.name} has ${found.length} ${name} elements, not exactly one`);
  return found[0];
}

function optional(parent: XmlElement, name: string): XmlElement | undefined {
  const found = parent.children.filter((child) => child.name === name);
  if (found.length > 1) throw new Error(`${parent.name} has ${found.length} ${name} elements, at most one allowed`);
  return found[0];
}

function linkOf(link: XmlElement): AtomLinkValue {
  if (!link.attributes.href) throw new Error('link without href');
  return { rel: link.attributes.rel ?? 'alternate', href: link.attributes.href, ...(link.attributes.type ? { type: link.attributes.type } : {}) };
}

function checkAlternates(links: AtomLinkValue[], where: string): void {
  const alternates = links.filter((link) => link.rel === 'alternate').map((link) => link.type ?? '');
  if (new Set(alternates).size !== alternates.length) throw new Error(`${where} has two alternate links of one type`);
}

function personName(person: XmlElement): string {
  return one(person, 'name').text;
}

function date(value: string, what: string): string {
  if (!RFC3339.test(value) || !Number.isFinite(Date.parse(value))) throw new Error(`${what} ${JSON.stringify(value)} is not an RFC 3339 date-time`);
  return value;
}

function iri(value: string, what: string): string {
  if (!IRI.test(value)) throw new Error(`${what} ${JSON.stringify(value)} is not an absolute IRI`);
  return value;
}
