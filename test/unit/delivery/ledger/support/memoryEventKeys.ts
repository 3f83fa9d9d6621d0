import { randomBytes } from 'node:crypto';
import type { EventKeys } from '../../../../../src/crypto';

/** Envelope keys without KMS: one data key, "wrapped" as itself. Enough to seal and open ledger events in a unit test. */
export function memoryEventKeys(): EventKeys {
  const plaintext = randomBytes(32);
  return {
    dataKeys: { acquire: async () => ({ plaintext, wrappedKey: Buffer.from('wrapped'), keyId: 'memory' }) },
    unwrappedKeys: { unwrap: async () => plaintext },
  };
}
