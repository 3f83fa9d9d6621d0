import { canIndex } from './FieldIndex';
import { ignoreCaseKey } from './ignoreCase';
import type { ValueMatcher } from './types';

/** Guesses for conditions whose selectivity the configuration says nothing about. */
const RANGE_SHARE = 0.3;
const LITERAL_SHARE = 0.5;
const EXISTS_SHARE = 0.9;

/** The key under which a matcher counts as "one more distinct value" of its path, by family. */
function familyKey(matcher: ValueMatcher): [family: string, key: string] | undefined {
  switch (matcher.kind) {
    case 'exactString':
      return ['exact', `s${matcher.value}`];
    case 'exactIp':
      return ['exact', `i${matcher.ip.hex}`];
    case 'exactNumber':
      return ['exact', `n${matcher.value}`];
    case 'equalsIgnoreCase':
      return ['exact', `s${ignoreCaseKey(matcher.alternatives)?.key ?? matcher.value}`];
    case 'numeric':
      return matcher.lower === matcher.upper ? ['exact', `n${matcher.lower}`] : undefined;
    case 'prefix':
      return ['prefix', matcher.value];
    case 'prefixIgnoreCase':
      return ['prefix', ignoreCaseKey(matcher.alternatives)?.key ?? matcher.value];
    case 'suffix':
      return ['suffix', matcher.value];
    case 'suffixIgnoreCase':
      return ['suffix', ignoreCaseKey(matcher.alternatives)?.key ?? matcher.value];
    case 'wildcard': {
      const { pieces } = matcher.wildcard;
      if (pieces.length === 1) return ['exact', `s${pieces[0]}`];
      return pieces[0].length > 0 ? ['prefix', pieces[0]] : ['suffix', pieces[pieces.length - 1]];
    }
    default:
      return undefined;
  }
}

/**
 * Estimates, from the configuration alone, the share of events that would reach a branch through
 * each of its conditions, so the branch can be indexed under the rarest one. The more distinct values
 * the configuration uses at a path, the rarer each is taken to be (2 / (distinct + 1)): filtering on
 * one of five regions picks out a third of the events, an exact event type one in hundreds.
 */
export class SelectivityModel {
  private readonly distinct = new Map<string, Set<string>>();
  private readonly tokens = new Map<string, Set<string>>();

  /** Records the values a path's conditions use. */
  observeField(path: string, matchers: readonly ValueMatcher[]): void {
    for (const matcher of matchers) {
      const key = familyKey(matcher);
      if (key === undefined) continue;
      const bucket = `${path}\u0000${key[0]}`;
      let set = this.distinct.get(bucket);
      if (set === undefined) this.distinct.set(bucket, (set = new Set()));
      set.add(key[1]);
    }
  }

  /** Records the literal tokens, by position, of `types` or `subjects` patterns. */
  observeSubjects(dimension: string, patterns: readonly string[]): void {
    for (const pattern of patterns) {
      pattern.split('.').forEach((token, position) => {
        if (token === '*' || token === '>') return;
        const bucket = `${dimension}\u0000${position}`;
        let set = this.tokens.get(bucket);
        if (set === undefined) this.tokens.set(bucket, (set = new Set()));
        set.add(token);
      });
    }
  }

  /** 2 / (distinct values + 1): a value nobody else uses counts as no selectivity at all. */
  private share(bucket: string, map: Map<string, Set<string>>): number {
    return Math.min(1, 2 / ((map.get(bucket)?.size ?? 0) + 1));
  }

  /** Expected share of events reaching a branch through these patterns (their sum). */
  subjectsShare(dimension: string, patterns: readonly string[]): number {
    let total = 0;
    for (const pattern of patterns) {
      let share = 1;
      pattern.split('.').forEach((token, position) => {
        if (token !== '*' && token !== '>') share *= this.share(`${dimension}\u0000${position}`, this.tokens);
      });
      total += share;
    }
    return total;
  }

  /** Expected share of events reaching a branch through a field condition; Infinity when it cannot be indexed. */
  fieldShare(path: string, matchers: readonly ValueMatcher[]): number {
    let total = 0;
    for (const matcher of matchers) {
      if (!canIndex(matcher)) return Infinity;
      const key = familyKey(matcher);
      if (key !== undefined) total += this.share(`${path}\u0000${key[0]}`, this.distinct);
      else if (matcher.kind === 'exactLiteral') total += LITERAL_SHARE;
      else if (matcher.kind === 'exists') total += EXISTS_SHARE;
      else total += RANGE_SHARE;
    }
    return total;
  }
}
