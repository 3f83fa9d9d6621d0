import { Duration, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Constructor-time prop checks shared by the constructs in `lib/`. Each message names the construct,
 * the prop, the rule and the value received; values that are still unresolved tokens are not checked
 * (they are only known at deploy time).
 */

/** Throws unless `value` is an integer in `min..max` (inclusive); `undefined` and tokens pass. */
export function checkIntegerInRange(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
  unit = '',
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const suffix = unit ? ` ${unit}` : '';
    throw new Error(
      `${scope.node.path}: ${prop} must be an integer between ${min} and ${max}${suffix}, got ${String(value)}`,
    );
  }
}

/** Throws unless `value` lies in `min..max` seconds; `undefined` and unresolved durations pass. */
export function checkDurationInRange(
  scope: IConstruct,
  prop: string,
  value: Duration | undefined,
  min: Duration,
  max: Duration,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const millis = value.toMilliseconds();
  if (millis < min.toMilliseconds() || millis > max.toMilliseconds()) {
    throw new Error(
      `${scope.node.path}: ${prop} must be between ${min.toHumanString()} and ${max.toHumanString()}, got ${value.toHumanString()}`,
    );
  }
}

/** Throws unless `value` is a non-empty string; `undefined` and tokens pass. */
export function checkNonEmpty(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value.trim() === '') {
    throw new Error(`${scope.node.path}: ${prop} must not be empty, got ${JSON.stringify(value)}`);
  }
}
