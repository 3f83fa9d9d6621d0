/**
 * Types of the subscription matcher: the public ones (re-exported by `index.ts`) and the compiled
 * form of an EventBridge pattern shared by the files of this folder.
 */

/** One problem found in a pattern, `path` naming the offending part (e.g. `filter.data.total[0].numeric`). */
export interface PatternError {
  path: string;
  message: string;
}

/** An EventBridge event pattern as JSON: fields map to nested patterns or to lists of values/operators. */
export type EventPattern = { [field: string]: unknown };

/** What the matcher needs of one subscription of `subscriptions.json`. */
export interface MatchableSubscription {
  /** Returned by `match` when the subscription matches. */
  id: string;
  /** NATS-style patterns over the CloudEvent `type` (`*` one token, `>` the rest); absent means all. */
  types?: readonly string[];
  /** The same over the `subject` attribute; absent means all. */
  subjects?: readonly string[];
  /** An EventBridge event pattern over the CloudEvent as JSON; absent means all. */
  filter?: EventPattern;
}

/** A pattern compiled once and evaluated many times. */
export interface CompiledPattern {
  /** The pattern as given. */
  readonly pattern: EventPattern;
  /** True when the event (the CloudEvent as a JSON object) matches. */
  matches(event: unknown): boolean;
  /** The same for an event given as JSON text. */
  matchesJson(json: string): boolean;
}

// ---------------------------------------------------------------------------------------------
// Compiled form (internal to src/routing).

/** A number in an event that cannot be compared numerically (Event Ruler compares it as text only). */
export class NumberLiteral {
  constructor(readonly text: string) {}
}

/** One leaf value of an event: objects and arrays are walked through, never values themselves. */
export type LeafValue = string | number | boolean | null | NumberLiteral;

/**
 * A number read from JSON text whose comparability is not known yet: with 16 or 17 significant digits
 * it is comparable only if it is exactly how its double prints, which costs a conversion to find out,
 * so that is done only when a numeric comparison depends on it.
 */
export class PendingNumber {
  private settled: number | NumberLiteral | undefined;

  constructor(
    readonly value: number,
    readonly text: string,
    private readonly isExact: (text: string, value: number) => boolean,
  ) {}

  /** The number, or its text when it cannot be compared numerically. */
  settle(): number | NumberLiteral {
    this.settled ??= this.isExact(this.text, this.value) ? this.value : new NumberLiteral(this.text);
    return this.settled;
  }
}

/** A leaf as held while matching: a pending number is settled only if a comparison needs it. */
export type EventValue = LeafValue | PendingNumber;

/** The case variants of one pattern character: the value must carry one of them at that place. */
export type CaseAlternatives = readonly (readonly string[])[];

/** A compiled wildcard: the literal pieces between the `*`s (one piece when there is no `*`). */
export interface WildcardPieces {
  readonly pieces: readonly string[];
}

/** An IP address as fixed-width uppercase hex (8 digits for IPv4, 32 for IPv6), which sorts like the address. */
export interface IpAddressKey {
  readonly version: 4 | 6;
  readonly hex: string;
}

/** One entry of a field's value list, compiled. */
export type ValueMatcher =
  | { readonly kind: 'exactString'; readonly value: string }
  | { readonly kind: 'exactIp'; readonly ip: IpAddressKey }
  | { readonly kind: 'exactNumber'; readonly value: number }
  | { readonly kind: 'exactLiteral'; readonly value: boolean | null }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'prefixIgnoreCase'; readonly value: string; readonly alternatives: CaseAlternatives }
  | { readonly kind: 'suffixIgnoreCase'; readonly value: string; readonly alternatives: CaseAlternatives }
  | { readonly kind: 'equalsIgnoreCase'; readonly value: string; readonly alternatives: CaseAlternatives }
  | { readonly kind: 'wildcard'; readonly value: string; readonly wildcard: WildcardPieces }
  | {
      readonly kind: 'numeric';
      readonly lower: number;
      readonly lowerOpen: boolean;
      readonly upper: number;
      readonly upperOpen: boolean;
    }
  | { readonly kind: 'cidr'; readonly version: 4 | 6; readonly low: string; readonly high: string }
  | { readonly kind: 'exists' }
  | { readonly kind: 'anythingButStrings'; readonly values: ReadonlySet<string> }
  | { readonly kind: 'anythingButNumbers'; readonly values: ReadonlySet<number> }
  | { readonly kind: 'anythingButIgnoreCase'; readonly values: readonly CaseAlternatives[] }
  | { readonly kind: 'anythingButPrefix'; readonly values: readonly string[] }
  | { readonly kind: 'anythingButSuffix'; readonly values: readonly string[] }
  | { readonly kind: 'anythingButWildcard'; readonly values: readonly WildcardPieces[] };

export type ValueMatcherKind = ValueMatcher['kind'];

/** The condition on one field path: any matcher may match a leaf, or the field may be absent. */
export interface FieldConstraint {
  /** Field names joined with `.`, as Event Ruler flattens them. */
  readonly path: string;
  readonly matchers: readonly ValueMatcher[];
  /** `{ "exists": false }` was among the values. */
  readonly allowsAbsent: boolean;
}

/** One branch of a pattern after `$or` is expanded: every constraint must hold. */
export interface SubRule {
  /** Sorted by path, the order in which Event Ruler steps through fields. */
  readonly constraints: readonly FieldConstraint[];
}

/** Where a leaf sits in the event's arrays: pairs of (array id, element index), outermost first. */
export type ArrayMembership = readonly number[];

/** A leaf with its array membership, for array-consistent matching. */
export interface PlacedLeaf {
  readonly value: EventValue;
  readonly membership: ArrayMembership;
}
