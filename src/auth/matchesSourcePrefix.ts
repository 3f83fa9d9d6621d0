/**
 * True when a producer's source prefix covers `source`: `*` covers any; a prefix ending in `/` or `:` covers any
 * source starting with it; any other prefix covers the source itself and the sources below it, so `/shop` covers
 * `/shop` and `/shop/orders` but not `/shopping`.
 */
export function matchesSourcePrefix(prefix: string, source: string): boolean {
  if (prefix === '*') return true;
  if (prefix.endsWith('/') || prefix.endsWith(':')) return source.startsWith(prefix);
  return source === prefix || source.startsWith(`${prefix}/`);
}
