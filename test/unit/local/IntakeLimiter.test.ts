import { IntakeLimiter, isRefusal, type IntakeAdmission } from '../../../local/front/IntakeLimiter';

describe('IntakeLimiter', () => {
  it('admits a burst, then one request per 1/rate seconds, and says how long to wait in whole seconds (at least 1)', () => {
    let now = 0;
    const limiter = new IntakeLimiter({ ratePerSecond: 0.5, burst: 3, maxInFlight: 100 }, () => now);
    for (let i = 0; i < 3; i += 1) expect(isRefusal(limiter.admit(false))).toBe(false);
    const refused = limiter.admit(false);
    expect(refused).toEqual({ limit: 'rate', retryAfterSeconds: 2, message: 'request rate over 0.5/s (burst 3): retry after 2 s' });
    now = 1_000;
    expect(limiter.admit(false)).toMatchObject({ limit: 'rate', retryAfterSeconds: 1 });
    now = 2_000;
    expect(isRefusal(limiter.admit(false))).toBe(false);
    // A quiet spell refills the bucket only up to the burst.
    now = 1_000_000;
    for (let i = 0; i < 3; i += 1) expect(isRefusal(limiter.admit(false))).toBe(false);
    expect(isRefusal(limiter.admit(false))).toBe(true);
  });

  it('bounds publishes in flight until they are released (twice is once), other requests only by the rate', () => {
    const limiter = new IntakeLimiter({ ratePerSecond: 1000, maxInFlight: 2 }, () => 0);
    const a = limiter.admit(true) as IntakeAdmission;
    const b = limiter.admit(true) as IntakeAdmission;
    expect(limiter.admit(true)).toMatchObject({ limit: 'inFlight', retryAfterSeconds: 1 });
    expect(isRefusal(limiter.admit(false))).toBe(false);
    a.release();
    a.release();
    expect(isRefusal(limiter.admit(true))).toBe(false);
    expect(limiter.admit(true)).toMatchObject({ limit: 'inFlight' });
    b.release();
  });

  it('refuses limits that cannot work, naming them', () => {
    expect(() => new IntakeLimiter({ ratePerSecond: 0, maxInFlight: 1 })).toThrow('intake.ratePerSecond must be a positive number, got 0');
    expect(() => new IntakeLimiter({ ratePerSecond: 1, burst: 0.5, maxInFlight: 1 })).toThrow('intake.burst must be a positive integer, got 0.5');
    expect(() => new IntakeLimiter({ ratePerSecond: 1, maxInFlight: 0 })).toThrow('intake.maxInFlight must be a positive integer, got 0');
  });
});
