import { HttpError } from '../../http/HttpError';
import { explainMatch } from '../../routing/explainMatch';
import { badField, notFound, requiredText } from '../consoleError';
import type { ConsoleDeps, ConsoleRequest } from '../types';

const DEFAULT_PAGE = 50;

/** `GET /events?types=&source=&from=&to=&cursor=`: stored events, newest first, by the store's own query (no scan). */
export async function listEvents(deps: ConsoleDeps, request: ConsoleRequest) {
  const q = request.query;
  const types = (q.get('types') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const limit = Number(q.get('limit') ?? DEFAULT_PAGE);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badField('limit', `limit must be a whole number from 1 to 500, got ${JSON.stringify(q.get('limit'))}`);
  const page = await deps.store.queryEvents({
    ...(types.length ? { types } : {}),
    ...(q.get('source') ? { source: q.get('source')! } : {}),
    ...(q.get('from') ? { from: q.get('from')! } : {}),
    ...(q.get('to') ? { to: q.get('to')! } : {}),
    ...(q.get('cursor') ? { cursor: q.get('cursor')! } : {}),
    limit,
    descending: true,
  });
  return {
    events: page.events.map((stored) => ({
      id: stored.event.id,
      source: stored.event.source,
      type: stored.event.type,
      subject: stored.event.subject,
      time: stored.event.time,
      arrivedAt: stored.arrivedAt ?? stored.storedAt,
    })),
    ...(page.next ? { next: page.next } : {}),
  };
}

/**
 * `GET /event?source=&id=`: one stored event (attributes and data, decrypted with the caller's own rights) and
 * its delivery to each subscription of the live file: not matched (with the failing clause), delivered at the
 * first attempt (nothing logged), or its state in the ledger with every attempt.
 */
export async function showEvent(deps: ConsoleDeps, request: ConsoleRequest) {
  const source = requiredText(request.query.get('source'), 'source');
  const id = requiredText(request.query.get('id'), 'id');
  const stored = await deps.store.get(source, id).catch((error: unknown) => {
    // A stage operator whose credentials may not use the stage key cannot open the event: say so rather than 500.
    if (error instanceof Error && /AccessDenied/.test(error.name)) {
      throw new HttpError(403, 'forbidden', `your AWS credentials may not decrypt this event (kms:Decrypt on the stage key): ${error.message}`, undefined, {}, { cause: error });
    }
    throw error;
  });
  if (!stored) throw notFound(`no stored event with source ${JSON.stringify(source)} and id ${JSON.stringify(id)}`);
  const config = await deps.subscriptions();
  const deliveries = await Promise.all(
    config.subscriptions.map(async (subscription, index) => {
      const explained = explainMatch(subscription, stored.event, { basePath: `/subscriptions/${index}` });
      if (!explained.matched) return { subscriptionId: subscription.id, matched: false, clause: explained.clause };
      const history = await deps.ledger.show(subscription.id, source, id);
      if (!history) return { subscriptionId: subscription.id, matched: true, status: 'delivered_first_attempt_or_in_flight', attempts: [] };
      const { entry, ...rest } = history;
      return { ...rest, subscriptionId: subscription.id, matched: true, ...(entry ? { entry: { lane: entry.lane, sequence: entry.sequence, state: entry.state } } : {}) };
    }),
  );
  const { data, data_base64: dataBase64, ...attributes } = stored.event as Record<string, unknown>;
  return { attributes, data: data ?? dataBase64 ?? null, sequence: stored.sequence, shard: stored.shard, arrivedAt: stored.arrivedAt, deliveries };
}
