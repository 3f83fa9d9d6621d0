import { NumberLiteral, PendingNumber } from './types';

/** Smallest positive normal double: below it, doubles lose precision. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** A decimal in a canonical text form (`-123e-2`), so two spellings of one value compare equal. */
function canonicalDecimal(text: string): string {
  let start = 0;
  let negative = false;
  if (text.charCodeAt(0) === 0x2d /* - */) {
    negative = true;
    start = 1;
  } else if (text.charCodeAt(0) === 0x2b /* + */) {
    start = 1;
  }
  let exponent = 0;
  let mantissaEnd = text.length;
  const e = text.search(/[eE]/);
  if (e >= 0) {
    exponent = Number(text.slice(e + 1));
    mantissaEnd = e;
  }
  const mantissa = text.slice(start, mantissaEnd);
  const point = mantissa.indexOf('.');
  let digits = mantissa;
  if (point >= 0) {
    digits = mantissa.slice(0, point) + mantissa.slice(point + 1);
    exponent -= mantissa.length - point - 1;
  }
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 0x30) first++;
  let last = digits.length;
  while (last > first && digits.charCodeAt(last - 1) === 0x30) last--;
  if (first === last) return '0';
  exponent += digits.length - last;
  return `${negative ? '-' : ''}${digits.slice(first, last)}e${exponent}`;
}

/** Significant digits of a JSON number's text, ignoring leading and trailing zeros of the mantissa. */
function significantDigits(text: string): number {
  let count = 0;
  let pendingZeros = 0;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) break; // e, E
    if (c < 0x30 || c > 0x39) continue; // sign, point
    if (c === 0x30) {
      if (started) pendingZeros++;
      continue;
    }
    started = true;
    count += pendingZeros + 1;
    pendingZeros = 0;
  }
  return count;
}

/**
 * True when the decimal `text` is exactly the double `value` prints as. Event Ruler compares a number
 * numerically only in that case (`ComparableNumber.generate` refuses numbers that lose digits as a
 * double); any other number is compared as text.
 */
export function isExactDouble(text: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const magnitude = Math.abs(value);
  // Fifteen significant digits always survive the round trip through a normal double.
  if ((magnitude >= MIN_NORMAL || value === 0) && significantDigits(text) <= 15) {
    return value !== 0 || significantDigits(text) === 0;
  }
  const printed = String(value);
  return printed === text || canonicalDecimal(printed) === canonicalDecimal(text);
}

/**
 * The leaf value of a JSON number: the number itself, its text when it is not comparable, or, when
 * that takes a costly check (16 or 17 significant digits), a `PendingNumber` settled on demand.
 */
export function readJsonNumber(text: string): number | NumberLiteral | PendingNumber {
  const value = Number(text);
  if (!Number.isFinite(value)) return new NumberLiteral(text);
  const digits = significantDigits(text);
  if (digits <= 15 && (Math.abs(value) >= MIN_NORMAL || value === 0)) {
    // Event Ruler reads numbers through BigDecimal, which has no negative zero.
    if (value === 0) return digits === 0 ? 0 : new NumberLiteral(text);
    return value;
  }
  // A double never needs more than 17 digits, so longer spellings are never exactly its value.
  if (digits > 17) return new NumberLiteral(text);
  return new PendingNumber(value === 0 ? 0 : value, text, isExactDouble);
}
