/** The record without its undefined fields: DynamoDB items and JSON answers carry only what is set. */
export function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
