interface TrieNode<T> {
  literal: Map<string, TrieNode<T>> | undefined;
  star: TrieNode<T> | undefined;
  /** Payloads of patterns ending with `>` at this node. */
  rest: T[];
  /** Payloads of patterns ending exactly at this node. */
  end: T[];
}

function newNode<T>(): TrieNode<T> {
  return { literal: undefined, star: undefined, rest: [], end: [] };
}

/**
 * A trie over the tokens of NATS-style patterns, so that finding the patterns a value matches costs
 * the number of its tokens (times the wildcard branches taken), not the number of patterns.
 * Patterns must already be valid (see `validateSubjectPattern`).
 */
export class SubjectTrie<T> {
  private readonly root: TrieNode<T> = newNode();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(pattern: string, payload: T): void {
    let node = this.root;
    for (const token of pattern.split('.')) {
      if (token === '>') {
        node.rest.push(payload);
        this.count++;
        return;
      }
      if (token === '*') {
        node.star ??= newNode();
        node = node.star;
        continue;
      }
      node.literal ??= new Map();
      let next = node.literal.get(token);
      if (next === undefined) {
        next = newNode();
        node.literal.set(token, next);
      }
      node = next;
    }
    node.end.push(payload);
    this.count++;
  }

  /** Calls `visit` with the payload of every pattern `value` matches (a payload once per matching pattern). */
  forEachMatch(value: string, visit: (payload: T) => void): void {
    this.walk(this.root, value, 0, visit);
  }

  /** True when `value` matches at least one pattern. */
  matches(value: string): boolean {
    return this.test(this.root, value, 0);
  }

  private test(node: TrieNode<T>, value: string, start: number): boolean {
    if (start < 0) return node.end.length > 0;
    if (node.rest.length > 0) return true;
    if (node.literal === undefined && node.star === undefined) return false;
    const dot = value.indexOf('.', start);
    const next = dot < 0 ? -1 : dot + 1;
    if (node.literal !== undefined) {
      const child = node.literal.get(dot < 0 ? value.slice(start) : value.slice(start, dot));
      if (child !== undefined && this.test(child, value, next)) return true;
    }
    return node.star !== undefined && this.test(node.star, value, next);
  }

  private walk(node: TrieNode<T>, value: string, start: number, visit: (payload: T) => void): void {
    if (start < 0) {
      for (const payload of node.end) visit(payload);
      return;
    }
    // A `>` here takes the remaining tokens, of which there is at least one.
    for (const payload of node.rest) visit(payload);
    if (node.literal === undefined && node.star === undefined) {
      return;
    }
    const dot = value.indexOf('.', start);
    const next = dot < 0 ? -1 : dot + 1;
    if (node.literal !== undefined) {
      const child = node.literal.get(dot < 0 ? value.slice(start) : value.slice(start, dot));
      if (child !== undefined) this.walk(child, value, next, visit);
    }
    if (node.star !== undefined) {
      this.walk(node.star, value, next, visit);
    }
  }
}
