import { openEventData, sealEventData, type EventKeys, type SealedEventData } from '../../crypto';
import type { CloudEventJson } from '../../events/types';

/** Binds a sealed event to its subscription, source and id: an item's event cannot be swapped for another's. */
const AAD_LABEL = 'switchyard/delivery-ledger/v1';

/** `[label, subscription, source, id]` as JSON: unambiguous whatever the strings hold (see crypto's `eventAad`). */
export function ledgerAad(subscriptionId: string, source: string, id: string): Buffer {
  return Buffer.from(JSON.stringify([AAD_LABEL, subscriptionId, source, id]), 'utf8');
}

/** The whole event, envelope-encrypted for one subscription's ledger item. */
export async function sealLedgerEvent(subscriptionId: string, event: CloudEventJson, keys: EventKeys): Promise<SealedEventData> {
  if (typeof event?.source !== 'string' || typeof event.id !== 'string') {
    throw new TypeError('the ledger needs a CloudEvent with a string source and id');
  }
  const plaintext = Buffer.from(JSON.stringify(event), 'utf8');
  return sealEventData(plaintext, ledgerAad(subscriptionId, event.source, event.id), keys);
}

/** Opens what `sealLedgerEvent` sealed; throws `DecryptionError` when it was altered or moved to another item. */
export async function openLedgerEvent(
  item: { subscriptionId: string; source: string; id: string; sealed: SealedEventData<Uint8Array> },
  keys: EventKeys,
): Promise<CloudEventJson> {
  const plaintext = await openEventData(item.sealed, ledgerAad(item.subscriptionId, item.source, item.id), keys);
  return JSON.parse(plaintext.toString('utf8')) as CloudEventJson;
}
