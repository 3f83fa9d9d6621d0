import { matchesSubject } from '../routing/matchesSubject';
import { FORBIDDEN_CODE, ForbiddenError } from './errors';
import { intersectSubjectPatterns } from './intersectSubjectPatterns';
import type { Principal } from './types';

/**
 * Narrows the type patterns a read asks for (`GET /events?type=`, `GET /feeds/{pattern}`) to what the principal
 * may read: each asked pattern meets each of its read patterns (`>` asked of a reader of `order.>` reads
 * `order.>`; `order.*` asked of a reader of `order.created` reads `order.created`). A read of nothing it may read
 * is refused with 403 `forbidden_type`.
 */
export function readableTypes(principal: Principal, asked: readonly string[]): string[] {
  const allowed = principal.read?.types ?? [];
  const narrowed = new Set<string>();
  for (const pattern of asked) {
    for (const own of allowed) {
      const both = intersectSubjectPatterns(pattern, own);
      if (both !== undefined) narrowed.add(both);
    }
  }
  // Drop patterns another one already covers (a reader of `>` and `order.>` asking for `>` reads `>` once).
  const patterns = [...narrowed].filter((pattern) => ![...narrowed].some((other) => other !== pattern && intersectSubjectPatterns(other, pattern) === pattern));
  if (patterns.length === 0) throw forbiddenRead(principal, asked.join(','));
  return patterns;
}

/** Refuses a principal that may read nothing (a producer's credential on a read route). */
export function checkMayRead(principal: Principal): void {
  if (!principal.read) throw forbiddenRead(principal, '>');
}

/** Refuses one stored event's type unless the principal may read it (`GET /events/{id}`). */
export function checkReadType(principal: Principal, type: string): void {
  if (!mayReadType(principal, type)) throw forbiddenRead(principal, type);
}

/** True when the principal may read events of `type`. */
export function mayReadType(principal: Principal, type: string): boolean {
  return (principal.read?.types ?? []).some((pattern) => matchesSubject(pattern, type));
}

function forbiddenRead(principal: Principal, what: string): ForbiddenError {
  const message = principal.read
    ? `${principal.name} may not read type ${what} (its types: ${principal.read.types.join(', ') || 'none'})`
    : `${principal.name} is a producer: read routes take a reader credential (switchyard producers add NAME --reader)`;
  return new ForbiddenError(FORBIDDEN_CODE.type, message, [{ index: 0, field: 'type', message }]);
}
