import type { FieldError } from '../events/types';
import { matchesSubject } from '../routing/matchesSubject';
import { FORBIDDEN_CODE, ForbiddenError } from './errors';
import { matchesSourcePrefix } from './matchesSourcePrefix';
import type { Principal } from './types';

/**
 * Refuses a request's events unless the principal may publish every one of them: each event's `source` under one
 * of its source prefixes and its `type` matching one of its type patterns. A refusal names every event index and
 * field at fault; its code is `forbidden_source` when any source is refused, else `forbidden_type`. Called before
 * anything is published, so a refused batch leaves nothing behind.
 */
export function checkPublishRights(principal: Principal, events: ReadonlyArray<{ source: string; type: string }>): void {
  const rights = principal.publish ?? { sources: [], types: [] };
  const details: FieldError[] = [];
  events.forEach(({ source, type }, index) => {
    if (!rights.sources.some((prefix) => matchesSourcePrefix(prefix, source))) {
      details.push({ index, field: 'source', message: `${principal.name} may not publish source ${JSON.stringify(source)}${allowed('sources', rights.sources)}` });
    }
    if (!rights.types.some((pattern) => matchesSubject(pattern, type))) {
      details.push({ index, field: 'type', message: `${principal.name} may not publish type ${JSON.stringify(type)}${allowed('types', rights.types)}` });
    }
  });
  if (details.length === 0) return;
  const code = details.some((detail) => detail.field === 'source') ? FORBIDDEN_CODE.source : FORBIDDEN_CODE.type;
  const refused = new Set(details.map((detail) => detail.index)).size;
  throw new ForbiddenError(
    code,
    principal.publish
      ? `${refused} of ${events.length} events are outside what ${principal.name} may publish; nothing was accepted`
      : `${principal.name} is a reader and may not publish; nothing was accepted`,
    details,
  );
}

function allowed(what: string, patterns: readonly string[]): string {
  return patterns.length ? ` (its ${what}: ${patterns.join(', ')})` : '';
}
