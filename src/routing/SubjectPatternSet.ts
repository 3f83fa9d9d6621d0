import { InvalidPatternError } from './errors';
import { SubjectTrie } from './SubjectTrie';
import type { PatternError } from './types';
import { validateSubjectPattern } from './validateSubjectPattern';

/**
 * Many NATS-style patterns compiled once into a token trie: matching a value costs its token count,
 * whatever the number of patterns.
 */
export class SubjectPatternSet {
  readonly patterns: readonly string[];
  private readonly trie = new SubjectTrie<number>();

  /** @throws InvalidPatternError listing every invalid pattern (paths `[index]`) */
  constructor(patterns: readonly string[]) {
    const errors: PatternError[] = [];
    patterns.forEach((pattern, index) => {
      const problem = validateSubjectPattern(pattern);
      if (problem !== undefined) errors.push({ path: `[${index}]`, message: problem });
    });
    if (errors.length > 0) {
      throw new InvalidPatternError(errors);
    }
    this.patterns = [...patterns];
    this.patterns.forEach((pattern, index) => this.trie.add(pattern, index));
  }

  /** True when `value` matches at least one pattern. */
  matches(value: string): boolean {
    return this.trie.matches(value);
  }

  /** Indexes (into `patterns`, ascending) of the patterns `value` matches. */
  matchingIndexes(value: string): number[] {
    const indexes: number[] = [];
    this.trie.forEachMatch(value, (index) => indexes.push(index));
    return indexes.sort((a, b) => a - b);
  }
}
