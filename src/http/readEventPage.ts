import { withoutData } from '../delivery/withoutData';
import { matchesSubject } from '../routing/matchesSubject';
import { InvalidQueryError } from '../store/errors';
import type { StoredEvent } from '../store/types';
import { invalidParameter, type PageRequest } from './pageRequestOf';
import type { EventQueries } from './types';

/** One event of a page as the read routes serve it. */
export interface PageEvent extends StoredEvent {
  /** True when the event's type is private: `event` then holds its attributes only, no `data`. */
  dataWithheld: boolean;
}

/** A page in the order the request asked for, with cursors for the `after` (next) and `before` (previous) links. */
export interface EventPageView {
  events: PageEvent[];
  next?: string;
  previous?: string;
  /** Oldest-first pages without `to`: the `after` to poll with for events stored later (see the store's `resume`). */
  resume?: string;
}

export interface ReadEventPageOptions {
  queries: EventQueries;
  /** Type patterns whose events are served without `data` (`SWITCHYARD_PRIVATE_TYPES`). */
  privateTypes?: readonly string[];
}

/**
 * Asks the store for one page and shapes it for the read routes: a page reached through `before` comes back from the
 * store walking backwards, so it is turned round (and its cursors swapped) to read like every other page; events of
 * private types lose their `data`; a cursor or argument the store refuses is answered naming the query parameter
 * the caller used, not the store's field.
 */
export async function readEventPage(request: PageRequest, options: ReadEventPageOptions): Promise<EventPageView> {
  let page;
  try {
    page = await options.queries.queryEvents(request.query);
  } catch (error) {
    if (error instanceof InvalidQueryError) throw invalidParameter(parameterOf(error.field, request), error.message);
    throw error;
  }
  const privateTypes = options.privateTypes ?? [];
  const events = page.events.map((stored): PageEvent => {
    const withheld = privateTypes.some((pattern) => matchesSubject(pattern, stored.event.type));
    return {
      event: withheld ? withoutData(stored.event) : stored.event,
      sequence: stored.sequence,
      shard: stored.shard,
      ...(stored.arrivedAt !== undefined ? { arrivedAt: stored.arrivedAt } : {}),
      storedAt: stored.storedAt,
      dataWithheld: withheld,
    };
  });
  return request.backwards
    ? { events: events.reverse(), ...cursors(page.previous, page.next) }
    : { events, ...cursors(page.next, page.previous), ...(page.resume !== undefined ? { resume: page.resume } : {}) };
}

function cursors(next: string | undefined, previous: string | undefined): Pick<EventPageView, 'next' | 'previous'> {
  return { ...(next !== undefined ? { next } : {}), ...(previous !== undefined ? { previous } : {}) };
}

/** The query parameter behind a field of `EventQuery`. */
function parameterOf(field: string, request: PageRequest): string {
  if (field === 'types') return 'type';
  if (field === 'cursor') return request.backwards ? 'before' : 'after';
  if (field === 'descending') return 'order';
  return field;
}
