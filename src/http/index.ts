export * from './HttpError';
export * from './httpErrorOf';
export * from './types';
export { UnauthorizedError, ForbiddenError } from '../auth/errors';
export * from './routeRequest';
export * from './apiGateway';
export { PAGE_LIMIT, MAX_TYPE_PATTERNS } from './pageRequestOf';
export type { PageEvent } from './readEventPage';
export { ATOM_CONTENT_TYPE, DATA_WITHHELD_CATEGORY } from './getFeed';
