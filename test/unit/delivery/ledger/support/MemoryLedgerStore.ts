import { withoutUndefined } from '../../../../../src/delivery/ledger/withoutUndefined';
import type { ItemKey, LedgerItem, LedgerStore, ListScope, StoredItem, StoredPage, UpdateCondition } from '../../../../../src/delivery/ledger/LedgerStore';

/**
 * The ledger's storage hooks in a Map: the same conditions as DynamoDB's single-item writes, items copied in and
 * out (so callers never share an object with the "table") without undefined fields, partitions and pages in key
 * order. test/integration/delivery/ledger/LedgerStore.test.ts holds it and DynamoLedgerStore to one contract.
 */
export class MemoryLedgerStore implements LedgerStore {
  readonly name = 'memory';
  readonly items = new Map<string, StoredItem>();
  /** Page size of `partitionPages`, small so that paging is exercised. */
  constructor(private readonly pageSize = 3) {}

  async get<T extends StoredItem>(key: ItemKey): Promise<T | undefined> {
    const item = this.items.get(id(key));
    return item ? (copy(item) as T) : undefined;
  }

  async putIfAbsent(item: StoredItem): Promise<boolean> {
    if (this.items.has(id(item))) return false;
    await this.put(item);
    return true;
  }

  async put(item: StoredItem): Promise<void> {
    this.items.set(id(item), copy(withoutUndefined(item)));
  }

  async updateIf(key: ItemKey, set: Partial<LedgerItem>, remove: readonly (keyof LedgerItem)[], condition: UpdateCondition): Promise<boolean> {
    const item = this.items.get(id(key)) as LedgerItem | undefined;
    if (!item || item.state !== condition.state) return false;
    if (condition.dueAt !== undefined && item.dueAt !== condition.dueAt) return false;
    if (condition.dueAtOrBefore !== undefined && !(item.dueAt !== undefined && item.dueAt <= condition.dueAtOrBefore)) return false;
    if (condition.attempts !== undefined && item.attempts !== condition.attempts) return false;
    const updated: Record<string, unknown> = { ...item, ...copy(withoutUndefined(set)) };
    for (const field of remove) delete updated[field];
    this.items.set(id(key), updated as unknown as LedgerItem);
    return true;
  }

  async delete(key: ItemKey): Promise<void> {
    this.items.delete(id(key));
  }

  async firstOf(pk: string): Promise<Pick<LedgerItem, 'sk' | 'state'> | undefined> {
    const first = this.sorted().find((item) => item.pk === pk) as LedgerItem | undefined;
    return first ? { sk: first.sk, state: first.state } : undefined;
  }

  async queryDue(bucket: string, dueAtOrBefore: string, limit: number): Promise<LedgerItem[]> {
    return (this.sorted() as LedgerItem[])
      .filter((item) => item.dueBucket === bucket && item.dueAt !== undefined && item.dueAt <= dueAtOrBefore)
      .sort((a, b) => (a.dueAt! < b.dueAt! ? -1 : a.dueAt! > b.dueAt! ? 1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  async *partitionPages(pk: string): AsyncGenerator<Record<string, unknown>[]> {
    const items = this.sorted().filter((item) => item.pk === pk);
    for (let start = 0; start === 0 || start < items.length; start += this.pageSize) {
      yield items.slice(start, start + this.pageSize).map((item) => copy(item) as unknown as Record<string, unknown>);
    }
  }

  async listPage(scope: ListScope, limit: number, startKey?: ItemKey): Promise<StoredPage> {
    const inScope = this.sorted().filter((item) =>
      'pk' in scope ? item.pk === scope.pk && (scope.skFrom === undefined || item.sk >= scope.skFrom) : item.pk.startsWith(scope.pkPrefix),
    );
    const from = startKey === undefined ? 0 : inScope.findIndex((item) => id(item) > id(startKey));
    const page = from < 0 ? [] : inScope.slice(from, from + limit);
    const last = page.at(-1);
    const more = from >= 0 && from + limit < inScope.length;
    return { items: page.map((item) => copy(item) as unknown as Record<string, unknown>), ...(more && last ? { lastKey: { pk: last.pk, sk: last.sk } } : {}) };
  }

  /** Items whose pk starts with `prefix`. */
  count(prefix = ''): number {
    return [...this.items.values()].filter((item) => item.pk.startsWith(prefix)).length;
  }

  private sorted(): StoredItem[] {
    return [...this.items.values()].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  }
}

/** pk and sk joined by a character neither holds, so the map key sorts as (pk, sk) does. */
function id(key: ItemKey): string {
  return `${key.pk}\u0000${key.sk}`;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}
