/** A link of a feed or an entry (RFC 4287 §4.2.7; paging rels from RFC 5005 §3). */
export interface AtomLink {
  rel: 'self' | 'alternate' | 'first' | 'next' | 'previous';
  href: string;
  type?: string;
}

export interface AtomCategory {
  term: string;
  scheme?: string;
  label?: string;
}

export interface AtomEntry {
  /** A permanent, unique IRI. */
  id: string;
  title: string;
  /** RFC 3339 date-time. */
  updated: string;
  published?: string;
  author?: string;
  links: AtomLink[];
  categories?: AtomCategory[];
  /** Plain text; required by RFC 4287 §4.1.1.1 when the content is base64. */
  summary?: string;
  /** Content of a media type that is neither XML nor text, so base64-encoded (RFC 4287 §4.1.3.3 rule 5). */
  content?: { type: string; base64: string };
}

export interface AtomFeed {
  id: string;
  title: string;
  updated: string;
  author: string;
  links: AtomLink[];
  entries: AtomEntry[];
}

/**
 * Writes an Atom 1.0 document (RFC 4287). Not the `feed` package: it always types content as `html`, has no
 * paging links, and its serializer leaves `<` and `&` unescaped in attributes, turns a literal `&amp;` in text into
 * `&`, and breaks CDATA on a second `]]>`, so an event type or data holding those made the document invalid or
 * altered it. Here every text and attribute is escaped, and characters XML 1.0 cannot carry become U+FFFD.
 */
export function renderAtomFeed(feed: AtomFeed): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  ${element('id', feed.id)}`,
    `  ${element('title', feed.title, { type: 'text' })}`,
    `  ${element('updated', feed.updated)}`,
    `  <author>${element('name', feed.author)}</author>`,
    ...feed.links.map((link) => `  ${linkElement(link)}`),
    ...feed.entries.flatMap(entryLines),
    '</feed>',
  ];
  return `${lines.join('\n')}\n`;
}

function entryLines(entry: AtomEntry): string[] {
  return [
    '  <entry>',
    `    ${element('id', entry.id)}`,
    `    ${element('title', entry.title, { type: 'text' })}`,
    `    ${element('updated', entry.updated)}`,
    ...(entry.published !== undefined ? [`    ${element('published', entry.published)}`] : []),
    ...(entry.author !== undefined ? [`    <author>${element('name', entry.author)}</author>`] : []),
    ...entry.links.map((link) => `    ${linkElement(link)}`),
    ...(entry.categories ?? []).map((category) => `    <category${attributes({ ...category })}/>`),
    ...(entry.summary !== undefined ? [`    ${element('summary', entry.summary, { type: 'text' })}`] : []),
    ...(entry.content !== undefined ? [`    ${element('content', entry.content.base64, { type: entry.content.type })}`] : []),
    '  </entry>',
  ];
}

function linkElement(link: AtomLink): string {
  return `<link${attributes({ rel: link.rel, href: link.href, type: link.type })}/>`;
}

function element(name: string, text: string, attrs: Record<string, string | undefined> = {}): string {
  return `<${name}${attributes(attrs)}>${escapeText(text)}</${name}>`;
}

function attributes(attrs: Record<string, string | undefined>): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join('');
}

// Outside XML 1.0's Char production (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF): not even as references.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function escapeText(value: string): string {
  // CR as a reference, or a parser would turn CRLF into LF.
  return value.replace(NOT_XML_CHAR, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function escapeAttribute(value: string): string {
  // Whitespace as references, or attribute-value normalisation would turn it into spaces.
  return escapeText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
