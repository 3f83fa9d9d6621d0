export * from './HttpError';
export * from './types';
export * from './ProducerTokens';
export * from './routeRequest';
export * from './apiGateway';
