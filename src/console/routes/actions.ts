import { countReplayMatches } from '../../replay/countReplayMatches';
import { DEFAULT_REPLAY_RATE, MAX_REPLAY_RATE, type ReplayRequest } from '../../replay/types';
import { badField, isoField, jsonBody, notFound, requiredText } from '../consoleError';
import type { AuditRecord, ConsoleDeps, ConsoleRequest } from '../types';

/** Logs an operator action with who did it, then answers its result. */
async function audited(deps: ConsoleDeps, action: AuditRecord['action'], subscriptionId: string, detail: Record<string, unknown>, result: Record<string, unknown>) {
  const actor = await deps.actor();
  deps.audit({ at: new Date((deps.now ?? Date.now)()).toISOString(), actor: actor.name, action, subscriptionId, detail, result });
  return { ...result, by: actor.name };
}

/** The subscription of the live file, or a 404 naming the ids it has. */
async function liveSubscription(deps: ConsoleDeps, id: string) {
  const config = await deps.subscriptions();
  const subscription = config.subscriptions.find((s) => s.id === id);
  if (!subscription) throw notFound(`the live subscriptions.json has no subscription ${JSON.stringify(id)} (it has: ${config.subscriptions.map((s) => s.id).join(', ') || 'none'})`);
  return subscription;
}

/** `POST /subscriptions/:id/redrive` `{lane, sequence}` (one dead letter) or `{all: true}` (every one of the subscription). */
export async function redrive(deps: ConsoleDeps, request: ConsoleRequest, id: string) {
  const body = jsonBody(request.body);
  if (body.all === true) {
    const count = await deps.ledger.redriveAll(id);
    return audited(deps, 'redrive_all', id, {}, { redriven: count });
  }
  const lane = requiredText(body.lane, 'lane');
  const sequence = requiredText(body.sequence, 'sequence');
  const revived = await deps.ledger.redrive({ subscriptionId: id, lane, sequence });
  if (!revived) throw notFound(`subscription ${id} has no dead letter in lane ${lane} at sequence ${sequence}`);
  return audited(deps, 'redrive', id, { lane, sequence }, { redriven: 1, lane: revived.lane, sequence: revived.sequence });
}

/**
 * `POST /subscriptions/:id/replay` `{from, to?, rate?, dryRun?}`: counts the window's stored events the
 * subscription matches, as `switchyard replay` does; unless a dry run, then creates the replay job the bus's
 * redeliver function runs (to this subscription alone).
 */
export async function replay(deps: ConsoleDeps, request: ConsoleRequest, id: string) {
  const body = jsonBody(request.body);
  const from = isoField(body.from, 'from');
  const to = body.to === undefined || body.to === '' ? new Date((deps.now ?? Date.now)()).toISOString() : isoField(body.to, 'to');
  if (from >= to) throw badField('from', `from (${from}) must be before to (${to})`);
  const rate = body.rate === undefined ? DEFAULT_REPLAY_RATE : Number(body.rate);
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_REPLAY_RATE) throw badField('rate', `rate must be a whole number of deliveries per second from 1 to ${MAX_REPLAY_RATE}, got ${JSON.stringify(body.rate)}`);
  const subscription = await liveSubscription(deps, id);
  const replayRequest: ReplayRequest = { subscriptionId: id, from, to, rate, ...(subscription.types ? { types: subscription.types } : {}) };
  const count = await countReplayMatches(deps.store, replayRequest, subscription);
  if (body.dryRun === true) return { dryRun: true, subscriptionId: id, from, to, rate, ...count };
  const job = await deps.jobs.create({ ...replayRequest, expected: count.matched });
  return audited(deps, 'replay', id, { from, to, rate }, { jobId: job.jobId, expected: count.matched });
}

/** `GET /replays/:jobId`: a replay job's state and counts. */
export async function replayJob(deps: ConsoleDeps, _request: ConsoleRequest, jobId: string) {
  const job = await deps.jobs.get(jobId);
  if (!job) throw notFound(`no replay job ${JSON.stringify(jobId)}`);
  const { cursor: _cursor, ...shown } = job;
  return shown;
}

/** `POST /subscriptions/:id/disable` `{reason}`: its events become dead letters `subscription_disabled` until enabled. */
export async function disable(deps: ConsoleDeps, request: ConsoleRequest, id: string) {
  const body = jsonBody(request.body);
  const reason = requiredText(body.reason, 'reason');
  await liveSubscription(deps, id);
  await deps.ledger.disableSubscription(id, reason);
  return audited(deps, 'disable', id, { reason }, { state: 'disabled' });
}

/** `POST /subscriptions/:id/enable` `{redrive?}`: back on; with `redrive`, the dead letters the disablement caused are redriven. */
export async function enable(deps: ConsoleDeps, request: ConsoleRequest, id: string) {
  const body = jsonBody(request.body);
  const { redriven } = await deps.ledger.enableSubscription(id, { redrive: body.redrive === true });
  return audited(deps, 'enable', id, { redrive: body.redrive === true }, { state: 'enabled', redriven });
}
