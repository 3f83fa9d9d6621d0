import { webhookIdOf } from '../delivery/webhookIdOf';
import { CONTENT_TYPE } from '../events/constants';
import { isRfc3339 } from '../events/formats';
import { parseMediaType } from '../events/mediaType';
import type { CloudEventJson } from '../events/types';
import type { ReadRoutesDependencies } from './listEvents';
import { originOf } from './originOf';
import { pageRequestOf } from './pageRequestOf';
import { readEventPage, type PageEvent } from './readEventPage';
import { renderAtomFeed, type AtomEntry, type AtomLink } from './renderAtomFeed';
import { callerOf, type HttpRequest, type HttpResponse } from './types';
import { readableTypes } from '../auth/readableTypes';

export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

/** Category scheme of the entries whose `data` the bus withholds (their type is private). */
export const DATA_WITHHELD_CATEGORY = { scheme: 'urn:switchyard:data', term: 'withheld', label: 'data withheld: the event type is private' } as const;

/**
 * `GET /feeds/{type-pattern}`: an Atom 1.0 feed of the stored events of those types, newest first, `limit` entries
 * (default 20, at most 500), with `next` (older) and `previous` (newer) links by cursor (RFC 5005 paging), and
 * `source`, `from`, `to` as on `GET /events`. Each entry: id `urn:switchyard:event:<webhook-id>` (stable and unique
 * per source + id), title the type, updated the arrival in the bus, published the event's `time`, a link to
 * `GET /events/{id}?source=`, and the event's `data` as `application/json` content — base64-encoded, as RFC 4287
 * §4.1.3.3 requires of a media type that is neither XML nor text. Events of private types carry no content and a
 * `withheld` category.
 */
export async function getFeed(request: HttpRequest, pattern: string, deps: ReadRoutesDependencies): Promise<HttpResponse> {
  const reader = await deps.credentials.authenticate(callerOf(request));
  const pageRequest = pageRequestOf(request.query, { typesFromPath: pattern, order: 'newest' });
  // The feed's types narrowed to the reader's own (403 forbidden_type when nothing is left).
  pageRequest.query.types = readableTypes(reader, pageRequest.query.types);
  const page = await readEventPage(pageRequest, deps);

  const origin = originOf(request);
  const { after, before, ...filters } = request.query;
  // Every link keeps the request's filters and limit; only the cursor changes.
  const feedUrl = (cursor: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...filters, ...cursor })) if (value !== undefined) params.set(name, value);
    const query = params.toString();
    return `${origin}/feeds/${encodeURIComponent(pattern)}${query ? `?${query}` : ''}`;
  };
  const link = (rel: AtomLink['rel'], cursor: Record<string, string | undefined>): AtomLink => ({ rel, href: feedUrl(cursor), type: 'application/atom+xml' });
  const links = [
    link('self', { after, before }),
    link('first', {}),
    ...(page.next !== undefined ? [link('next', { after: page.next })] : []),
    ...(page.previous !== undefined ? [link('previous', { before: page.previous })] : []),
  ];
  const entries = page.events.map((stored) => entryOf(stored, origin));
  const source = pageRequest.query.source;
  const body = renderAtomFeed({
    id: `urn:switchyard:feed:${encodeURIComponent(pattern)}${source !== undefined ? `:source:${encodeURIComponent(source)}` : ''}`,
    title: `Switchyard events: ${pattern}${source !== undefined ? ` from ${source}` : ''}`,
    // The newest entry's time; an empty page has none, so the time of asking.
    updated: entries.map((entry) => entry.updated).sort().at(-1) ?? new Date().toISOString(),
    author: 'Switchyard',
    links,
    entries,
  });
  return { status: 200, headers: { 'content-type': ATOM_CONTENT_TYPE }, body };
}

function entryOf(stored: PageEvent, origin: string): AtomEntry {
  const { event } = stored;
  const content = contentOf(event);
  return {
    id: `urn:switchyard:event:${webhookIdOf(event.source, event.id)}`,
    title: event.type,
    updated: instantOf(stored.arrivedAt) ?? instantOf(stored.storedAt) ?? new Date(0).toISOString(),
    ...(typeof event.time === 'string' && isRfc3339(event.time) ? { published: event.time.toUpperCase() } : {}),
    author: event.source,
    links: [
      {
        rel: 'alternate',
        type: CONTENT_TYPE.structured,
        href: `${origin}/events/${encodeURIComponent(event.id)}?source=${encodeURIComponent(event.source)}`,
      },
    ],
    categories: stored.dataWithheld ? [{ ...DATA_WITHHELD_CATEGORY }] : [],
    summary: `${event.type} ${event.id} from ${event.source}${stored.dataWithheld ? ' (data withheld: private type)' : ''}`,
    ...(content ? { content } : {}),
  };
}

/** The event's data as Atom content: JSON data as `application/json`, binary data under its own media type. */
function contentOf(event: CloudEventJson): AtomEntry['content'] {
  if (event.data !== undefined) return { type: 'application/json', base64: Buffer.from(JSON.stringify(event.data), 'utf8').toString('base64') };
  if (typeof event.data_base64 === 'string') return { type: binaryMediaTypeOf(event.datacontenttype), base64: event.data_base64 };
  return undefined;
}

/** `datacontenttype` when Atom may carry it base64-encoded (not text, not XML), else `application/octet-stream`. */
function binaryMediaTypeOf(datacontenttype: string | undefined): string {
  const media = parseMediaType(datacontenttype);
  if (!media || media.type === 'text' || media.subtype === 'xml' || media.subtype.endsWith('+xml')) return 'application/octet-stream';
  return media.essence;
}

function instantOf(value: string | undefined): string | undefined {
  const time = value === undefined ? NaN : Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}
