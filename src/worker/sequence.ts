/** Kinesis sequence numbers are decimal strings of up to 128 digits; padded to 128 they sort as strings. */
export const SEQUENCE_DIGITS = 128;

/**
 * A sequence number left-padded with zeros, so that string order is numeric order: the form to store when a
 * handler makes its own writes conditional on the sequence (`attribute_not_exists(lastSequence) OR
 * lastSequence < :sequence`), or to sort by it.
 */
export function padSequence(sequence: string): string {
  if (!/^\d{1,128}$/.test(sequence)) {
    throw new RangeError(`a Kinesis sequence number is 1 to ${SEQUENCE_DIGITS} decimal digits, got ${JSON.stringify(sequence)}`);
  }
  return sequence.padStart(SEQUENCE_DIGITS, '0');
}

/** Numeric comparison of two sequence numbers of one shard: negative, zero or positive. */
export function compareSequences(a: string, b: string): number {
  // The order of the padded forms, without building them: fewer significant digits is smaller.
  const left = significantDigits(a);
  const right = significantDigits(b);
  return Math.sign(left.length - right.length) || (left < right ? -1 : left > right ? 1 : 0);
}

function significantDigits(sequence: string): string {
  if (!/^\d{1,128}$/.test(sequence)) padSequence(sequence); // throws the RangeError that names the value
  const first = sequence.search(/[1-9]/);
  return first < 0 ? '' : sequence.slice(first);
}
