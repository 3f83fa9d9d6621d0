export * from './constants';
export * from './errors';
export type * from './types';
export { eventAad } from './eventAad';
export { DataKeyCache, type DataKeyCacheOptions } from './DataKeyCache';
export { UnwrappedKeyCache, type UnwrappedKeyCacheOptions } from './UnwrappedKeyCache';
export { createEventKeys, type EventKeysOptions } from './createEventKeys';
export { sealEventData } from './sealEventData';
export { openEventData } from './openEventData';
