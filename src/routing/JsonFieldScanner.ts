import type { LeafSink } from './LeafTable';
import { type PathNode, PathTrie } from './PathTrie';
import { readJsonNumber } from './readJsonNumber';
import type { EventValue, PlacedLeaf } from './types';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DOT = 0x2e;

const KIND_QUOTE = 1;
const KIND_OPEN = 2;
const KIND_CLOSE = 3;
/** What each UTF-16 code unit means to bracket matching: 0 for the many that mean nothing. */
const CHAR_KIND = new Uint8Array(65536);
CHAR_KIND[QUOTE] = KIND_QUOTE;
CHAR_KIND[OPEN_BRACE] = KIND_OPEN;
CHAR_KIND[OPEN_BRACKET] = KIND_OPEN;
CHAR_KIND[CLOSE_BRACE] = KIND_CLOSE;
CHAR_KIND[CLOSE_BRACKET] = KIND_CLOSE;

/** Exact powers of ten as doubles (10^22 is the largest a double holds exactly). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Text that must remain, per name to search for, before asking whether any referenced key can follow. */
const EXIT_CHECK_CHARS_PER_NAME = 48;

/** Above this many children, a key is looked up by slicing it instead of comparing it in place. */
const IN_PLACE_KEY_LIMIT = 8;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Reads only the referenced paths out of an event given as JSON text, without building objects:
 * values under other keys are skipped by bracket matching, and the scan stops as soon as no key it
 * still needs can appear in the rest of the text (none of the names of the children of the open
 * objects occurs there, and there is no escape that could spell one). It checks the structure of
 * what it reads; what it skips is only bracket-matched, and the rest after an early stop is not read
 * at all, so it expects well-formed JSON (which the bus validates when it accepts an event).
 */
export class JsonFieldScanner {
  private text = '';
  private at = 0;
  private stopped = false;
  /** Next backslash at or after the last position searched from; -1 none; -2 not searched yet. */
  private backslash = -2;
  private table!: LeafSink;
  /** In `scanPlaced`: (array id, element index) pairs of the arrays around the current value. */
  private membership: number[] | undefined;
  private arrayCount = 0;
  private readonly needlePositions: Int32Array;
  private readonly needleScan: Uint32Array;
  private scanId = 0;

  constructor(private readonly trie: PathTrie) {
    this.needlePositions = new Int32Array(trie.needles.length);
    this.needleScan = new Uint32Array(trie.needles.length);
  }

  /**
   * Like `scan`, but records where each leaf sits in the event's arrays, for array-consistent
   * matching. Reads the text the same way, so numbers keep their spelling.
   */
  scanPlaced(json: string, pathCount: number): PlacedLeaf[][] {
    const placed: PlacedLeaf[][] = Array.from({ length: pathCount }, () => []);
    const membership: number[] = [];
    this.membership = membership;
    this.arrayCount = 0;
    try {
      this.scan(json, {
        add: (pathId, value) => placed[pathId].push({ value, membership: [...membership] }),
      });
    } finally {
      this.membership = undefined;
    }
    return placed;
  }

  /** Adds the leaves of `json` at the referenced paths to `table`. @throws SyntaxError on malformed JSON */
  scan(json: string, table: LeafSink): void {
    this.text = json;
    this.at = 0;
    this.stopped = false;
    this.backslash = -2;
    this.table = table;
    if (++this.scanId === 0xffffffff) {
      // Restart the marks rather than let a wrapped id meet positions cached for another text.
      this.needleScan.fill(0);
      this.scanId = 1;
    }
    this.skipSpace();
    if (json.charCodeAt(this.at) === OPEN_BRACE) {
      this.readObject(this.trie.root, false);
    } else {
      this.skipValue();
    }
    if (!this.stopped) {
      this.skipSpace();
      if (this.at !== json.length) this.fail('unexpected text after the JSON value');
    }
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.at} of the event JSON`);
  }

  private skipSpace(): void {
    const text = this.text;
    let at = this.at;
    while (isSpace(text.charCodeAt(at))) at++;
    this.at = at;
  }

  private nextBackslash(from: number): number {
    if (this.backslash >= from || this.backslash === -1) return this.backslash;
    this.backslash = this.text.indexOf('\\', from);
    return this.backslash;
  }

  /** Position after the closing quote of the string starting at `start` (its opening quote). */
  private stringEnd(start: number): number {
    const text = this.text;
    const close = text.indexOf('"', start + 1);
    if (close < 0) {
      this.at = start;
      this.fail('unterminated string');
    }
    const backslash = this.nextBackslash(start + 1);
    if (backslash < 0 || backslash > close) return close + 1;
    // Escapes inside: walk them, so an escaped quote does not end the string.
    let at = start + 1;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === QUOTE) return at + 1;
      if (c === BACKSLASH) at += 2;
      else if (at >= text.length) {
        this.at = start;
        this.fail('unterminated string');
      } else at++;
    }
  }

  /** Reads the string at the current position (its opening quote) and moves past it. */
  private readString(): string {
    const start = this.at;
    const end = this.stringEnd(start);
    this.at = end;
    const backslash = this.backslash;
    if (backslash < 0 || backslash >= end) return this.text.slice(start + 1, end - 1);
    return JSON.parse(this.text.slice(start, end)) as string;
  }

  private readObject(node: PathNode, inArray: boolean): void {
    const text = this.text;
    this.at++;
    this.skipSpace();
    if (text.charCodeAt(this.at) === CLOSE_BRACE) {
      this.at++;
      return;
    }
    for (;;) {
      if (text.charCodeAt(this.at) !== QUOTE) this.fail('expected a key');
      const keyStart = this.at + 1;
      const keyEnd = this.stringEnd(this.at) - 1;
      let child: PathNode | undefined;
      const backslash = this.backslash;
      if (backslash >= keyStart && backslash < keyEnd) {
        child = PathTrie.childFor(node, JSON.parse(text.slice(keyStart - 1, keyEnd + 1)) as string);
      } else {
        child = this.childInPlace(node, keyStart, keyEnd);
      }
      this.at = keyEnd + 1;
      this.skipSpace();
      if (text.charCodeAt(this.at) !== COLON) this.fail("expected ':'");
      this.at++;
      this.skipSpace();
      if (child !== undefined) {
        this.readValue(child, inArray);
        if (this.stopped) return;
      } else {
        // Only worth asking before a container, and with much text left: otherwise skipping costs
        // less than searching the rest for every name.
        const first = text.charCodeAt(this.at);
        if (
          (first === OPEN_BRACE || first === OPEN_BRACKET) &&
          text.length - this.at > EXIT_CHECK_CHARS_PER_NAME * node.exitNeedles.length &&
          this.nothingAhead(node)
        ) {
          this.stopped = true;
          return;
        }
        this.skipValue();
      }
      this.skipSpace();
      const c = text.charCodeAt(this.at);
      if (c === COMMA) {
        this.at++;
        this.skipSpace();
      } else if (c === CLOSE_BRACE) {
        this.at++;
        return;
      } else {
        this.fail("expected ',' or '}'");
      }
    }
  }

  /** The child named by the key text at [start, end), compared in place when the node has few children. */
  private childInPlace(node: PathNode, start: number, end: number): PathNode | undefined {
    const text = this.text;
    const length = end - start;
    const children = node.childList;
    if (children.length <= IN_PLACE_KEY_LIMIT) {
      for (let i = 0; i < children.length; i++) {
        const name = children[i].name;
        if (name.length === length && text.startsWith(name, start)) return children[i];
      }
      if (!node.hasGrandchildren) return undefined;
      // A dotted key ("a.b") reaches a grandchild; look for a dot before slicing anything.
      let dot = start;
      while (dot < end && text.charCodeAt(dot) !== DOT) dot++;
      if (dot === end) return undefined;
    }
    return PathTrie.childFor(node, text.slice(start, end));
  }

  /**
   * True when no key that could lead to a referenced path can follow: no backslash ahead, and none of
   * the names of the children of the open objects (the needles of `node`) occurs ahead at all.
   */
  private nothingAhead(node: PathNode): boolean {
    const from = this.at;
    if (this.nextBackslash(from) >= 0) return false;
    const needles = node.exitNeedles;
    for (let i = 0; i < needles.length; i++) {
      const id = needles[i];
      let position = this.needlePositions[id];
      if (this.needleScan[id] !== this.scanId || (position >= 0 && position < from)) {
        position = this.text.indexOf(this.trie.needles[id], from);
        this.needlePositions[id] = position;
        this.needleScan[id] = this.scanId;
      }
      if (position >= 0) return false;
    }
    return true;
  }

  private readValue(node: PathNode, inArray: boolean): void {
    const text = this.text;
    const c = text.charCodeAt(this.at);
    if (c === OPEN_BRACE) {
      if (node.childList.length > 0) this.readObject(node, inArray);
      else this.skipValue();
    } else if (c === OPEN_BRACKET) {
      this.readArray(node);
    } else if (node.pathId < 0) {
      this.skipValue();
    } else if (c === QUOTE) {
      this.table.add(node.pathId, this.readString(), inArray);
    } else if (c === 0x74 /* t */ && text.startsWith('true', this.at)) {
      this.at += 4;
      this.table.add(node.pathId, true, inArray);
    } else if (c === 0x66 /* f */ && text.startsWith('false', this.at)) {
      this.at += 5;
      this.table.add(node.pathId, false, inArray);
    } else if (c === 0x6e /* n */ && text.startsWith('null', this.at)) {
      this.at += 4;
      this.table.add(node.pathId, null, inArray);
    } else {
      this.table.add(node.pathId, this.readNumber(), inArray);
    }
  }

  /**
   * Reads a number. Up to 15 significant digits and a small exponent, the value is computed exactly
   * from its digits (a double holds both the digits and the power of ten, so one multiplication or
   * division rounds correctly); anything else goes through `readJsonNumber`.
   */
  private readNumber(): EventValue {
    const text = this.text;
    const start = this.at;
    let at = start;
    const negative = text.charCodeAt(at) === 0x2d; /* - */
    if (negative) at++;
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let c = text.charCodeAt(at);
    while (isDigit(c)) {
      mantissa = mantissa * 10 + (c - 0x30);
      if (mantissa !== 0) digits++;
      c = text.charCodeAt(++at);
    }
    if (c === DOT) {
      c = text.charCodeAt(++at);
      while (isDigit(c)) {
        mantissa = mantissa * 10 + (c - 0x30);
        if (mantissa !== 0) digits++;
        scale--;
        c = text.charCodeAt(++at);
      }
    }
    const end = this.numberEnd(start);
    this.at = end;
    if (at === end && digits <= 15 && scale >= -22) {
      const value = scale === 0 ? mantissa : mantissa / POWERS_OF_TEN[-scale];
      // Event Ruler reads numbers through BigDecimal, which has no negative zero.
      return negative && value !== 0 ? -value : value;
    }
    return readJsonNumber(text.slice(start, end));
  }

  private readArray(node: PathNode): void {
    const text = this.text;
    const membership = this.membership;
    const slot = membership === undefined ? -1 : membership.length;
    if (membership !== undefined) membership.push(this.arrayCount++, 0);
    this.at++;
    this.skipSpace();
    if (text.charCodeAt(this.at) === CLOSE_BRACKET) {
      this.at++;
    } else {
      for (;;) {
        this.readValue(node, true);
        if (this.stopped) return;
        this.skipSpace();
        const c = text.charCodeAt(this.at);
        if (c === COMMA) {
          this.at++;
          this.skipSpace();
          if (membership !== undefined) membership[slot + 1]++;
        } else if (c === CLOSE_BRACKET) {
          this.at++;
          break;
        } else {
          this.fail("expected ',' or ']'");
        }
      }
    }
    if (membership !== undefined) membership.length = slot;
  }

  /** End of the number starting at `start`, checked against the JSON number grammar. */
  private numberEnd(start: number): number {
    const text = this.text;
    let at = start;
    if (text.charCodeAt(at) === 0x2d /* - */) at++;
    const digitsStart = at;
    while (isDigit(text.charCodeAt(at))) at++;
    if (at === digitsStart || (text.charCodeAt(digitsStart) === 0x30 && at - digitsStart > 1)) this.fail('invalid number');
    if (text.charCodeAt(at) === DOT) {
      at++;
      const fraction = at;
      while (isDigit(text.charCodeAt(at))) at++;
      if (at === fraction) this.fail('invalid number');
    }
    const e = text.charCodeAt(at);
    if (e === 0x65 || e === 0x45) {
      at++;
      const sign = text.charCodeAt(at);
      if (sign === 0x2b || sign === 0x2d) at++;
      const exponent = at;
      while (isDigit(text.charCodeAt(at))) at++;
      if (at === exponent) this.fail('invalid number');
    }
    return at;
  }

  private skipValue(): void {
    const text = this.text;
    const c = text.charCodeAt(this.at);
    if (c === QUOTE) {
      this.at = this.stringEnd(this.at);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      this.skipContainer();
    } else if (c === 0x74 /* t */ && text.startsWith('true', this.at)) {
      this.at += 4;
    } else if (c === 0x66 /* f */ && text.startsWith('false', this.at)) {
      this.at += 5;
    } else if (c === 0x6e /* n */ && text.startsWith('null', this.at)) {
      this.at += 4;
    } else {
      this.at = this.numberEnd(this.at);
    }
  }

  /** Skips an object or array by counting brackets outside strings. */
  private skipContainer(): void {
    const text = this.text;
    const length = text.length;
    let at = this.at;
    let depth = 0;
    let backslash = this.nextBackslash(at);
    while (at < length) {
      const kind = CHAR_KIND[text.charCodeAt(at++)];
      if (kind === 0) continue;
      if (kind === KIND_QUOTE) {
        const close = text.indexOf('"', at);
        if (backslash >= 0 && backslash < at) backslash = this.nextBackslash(at);
        if (close >= 0 && (backslash < 0 || backslash > close)) {
          at = close + 1;
        } else {
          at = this.stringEnd(at - 1);
          backslash = this.nextBackslash(at);
        }
      } else if (kind === KIND_OPEN) {
        depth++;
      } else if (--depth === 0) {
        this.at = at;
        return;
      }
    }
    this.fail('unterminated object or array');
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
