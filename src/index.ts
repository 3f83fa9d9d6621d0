/**
 * The Switchyard runtime library: what the Lambda handlers, the local bus, the CLI and workers are built on.
 * One export line per area; follow an event from `src/events` through `src/stream` and `src/routing` to
 * `src/delivery`.
 */
export * from './events';
export * from './stream';
export * from './crypto';
export * from './store';
export * from './routing';
export * from './delivery';
export * from './engine';
export * from './worker';
