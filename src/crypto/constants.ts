/** The one cipher for event data in the store. */
export const EVENT_DATA_ALG = 'AES-256-GCM';

/** 96-bit IVs, the size GCM is specified for; a fresh random one per event. */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/** A data key encrypts events for at most this long... */
export const DEFAULT_DATA_KEY_MAX_AGE_MS = 5 * 60 * 1000;
/** ...and at most this many events, whichever comes first. */
export const DEFAULT_DATA_KEY_MAX_USES = 50_000;
/** Unwrapped data keys kept for reading; one per distinct data key, so this spans a long history. */
export const DEFAULT_UNWRAPPED_KEY_CACHE_SIZE = 1000;

/**
 * Bound to every wrapped data key as its KMS encryption context: a wrapped key only unwraps for this
 * purpose, and CloudTrail shows what each Decrypt was for.
 */
export const DATA_KEY_ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  purpose: 'switchyard-event-data',
});
