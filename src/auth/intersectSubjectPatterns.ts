/**
 * The one NATS-style pattern matching exactly the subjects both `a` and `b` match, or `undefined` when no subject
 * matches both (`order.*` ∩ `*.created` = `order.created`; `>` ∩ `order.>` = `order.>`; `order.*` ∩ `billing.>` =
 * none). Both must be valid patterns (see `validateSubjectPattern`).
 */
export function intersectSubjectPatterns(a: string, b: string): string | undefined {
  const left = a.split('.');
  const right = b.split('.');
  const tokens: string[] = [];
  for (let i = 0; ; i++) {
    const x = left[i];
    const y = right[i];
    // `>` takes one or more remaining tokens: what is left of the other pattern, if it has at least one.
    if (x === '>') return y === undefined ? undefined : [...tokens, ...right.slice(i)].join('.');
    if (y === '>') return x === undefined ? undefined : [...tokens, ...left.slice(i)].join('.');
    if (x === undefined || y === undefined) return x === y ? tokens.join('.') : undefined;
    if (x === '*') tokens.push(y);
    else if (y === '*' || x === y) tokens.push(x);
    else return undefined;
  }
}
