import type { SecretRef } from '../subscriptionTypes';

/** What resolving one secret reference gave: its value, or why not (never the value). */
export type ResolvedSecret = { value: string } | { error: string; /** True when retrying cannot help (unset, not found, denied). */ definite: boolean };

/** Resolved secret references of one file, by `secretKeyOf`. */
export type ResolvedSecrets = ReadonlyMap<string, ResolvedSecret>;

/** Map key of a reference: one entry per distinct reference, whatever its position in the file. */
export function secretKeyOf(ref: SecretRef): string {
  return typeof ref === 'string' ? `plain\u0000${ref}` : JSON.stringify(ref);
}

/** Is this a reference (`{ env }`, `{ secretsManager }`, `{ ssm }`) rather than a plain string? */
export function isSecretReference(value: unknown): value is Exclude<SecretRef, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && ['env', 'secretsManager', 'ssm'].includes(keys[0]) && typeof (value as Record<string, unknown>)[keys[0]] === 'string';
}
