/**
 * DynamoDB's size rules, to count write units from the items the store writes (bench rows, the item overhead
 * `maxEventBytes` must leave room for). From the DynamoDB developer guide, "Item sizes and formats":
 * - a string is its UTF-8 bytes, a binary its bytes, a boolean or null 1 byte;
 * - a number is about 1 byte per two significant digits, plus 1;
 * - a map or list is 3 bytes, plus 1 byte per element, plus its elements (a map's names included);
 * - an item is the sum of its attribute names' UTF-8 bytes and their values.
 * A global secondary index item is the index's key attributes, the table's key attributes and the projected
 * attributes, plus 100 bytes. One write unit covers 1 KB (1,024 bytes) of an item, per item written.
 */
export function attributeValueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(String(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + attributeValueBytes(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + attributeValueBytes(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [name, element]) => (element === undefined ? sum : sum + 1 + Buffer.byteLength(name, 'utf8') + attributeValueBytes(element)), 0);
  }
  throw new TypeError(`not a DynamoDB value: ${typeof value}`);
}

/** Bytes of a whole item (document-client shape: plain values, Uint8Array for binary). */
export function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + Buffer.byteLength(name, 'utf8') + attributeValueBytes(value)), 0);
}

/** Bytes of the index item DynamoDB writes for `item` in a GSI projecting `attributes` (beyond the keys). */
export function indexItemBytes(item: Record<string, unknown>, keyAttributes: readonly string[], projected: readonly string[] = []): number {
  const names = new Set([...keyAttributes, ...projected]);
  const picked = Object.fromEntries([...names].filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
  return itemBytes(picked) + 100;
}

/** Write units of writing one item of `bytes` (standard table class, no transaction). */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

function numberBytes(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}
