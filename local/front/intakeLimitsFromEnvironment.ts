import { intEnv } from '../../src/wiring/environment';
import type { IntakeLimits } from './IntakeLimiter';

/**
 * `npm start`'s intake limits: `SWITCHYARD_INTAKE_RATE` requests per second (burst `SWITCHYARD_INTAKE_BURST`,
 * default the rate) and `SWITCHYARD_INTAKE_IN_FLIGHT` publishes at once (default 64 when a rate is set). Unset
 * rate and in-flight: no limits.
 */
export function intakeLimitsFromEnvironment(env: NodeJS.ProcessEnv = process.env): IntakeLimits | undefined {
  const rate = env.SWITCHYARD_INTAKE_RATE;
  const inFlight = env.SWITCHYARD_INTAKE_IN_FLIGHT;
  if (!rate && !inFlight) return undefined;
  const ratePerSecond = intEnv('SWITCHYARD_INTAKE_RATE', 1_000_000, env);
  return {
    ratePerSecond,
    burst: intEnv('SWITCHYARD_INTAKE_BURST', Math.min(ratePerSecond, 1_000_000), env),
    maxInFlight: intEnv('SWITCHYARD_INTAKE_IN_FLIGHT', 64, env),
  };
}
