/**
 * Bytes of the event's JSON form (UTF-8), the measure of `maxEventBytes`: what the stream record and the store item
 * hold. Throws RangeError when the value is nested too deeply for JSON.stringify.
 */
export function serializedSize(event: unknown): number {
  return Buffer.byteLength(JSON.stringify(event) ?? '', 'utf8');
}
