import { InvalidQueryError } from '../../store/errors';
import type { ItemKey } from './LedgerStore';

/** A listing's cursor: the last key read, opaque to callers. */
export function encodeLedgerCursor(key: ItemKey): string {
  return Buffer.from(JSON.stringify([key.pk, key.sk]), 'utf8').toString('base64url');
}

/** A cursor back to the key; one from a subscription's listing only continues that subscription's (`queryPk`). */
export function decodeLedgerCursor(cursor: string, queryPk: string | undefined): ItemKey {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidQueryError('cursor', 'cursor is not one this ledger issued', { cause: error });
  }
  if (!Array.isArray(parts) || parts.length !== 2 || parts.some((part) => typeof part !== 'string')) {
    throw new InvalidQueryError('cursor', 'cursor is not one this ledger issued');
  }
  if (queryPk !== undefined && parts[0] !== queryPk) {
    throw new InvalidQueryError('cursor', 'cursor belongs to another listing');
  }
  return { pk: parts[0], sk: parts[1] };
}
