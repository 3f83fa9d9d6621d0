export * from './constants';
export { functionTelemetry, type FunctionTelemetry } from './functionTelemetry';
export { eventLogOf, WITHHELD_LOG_FIELDS } from './eventLogOf';
export { countKmsRequests } from './countKmsRequests';
export { countPendingDeliveries, type CountPendingDeliveriesOptions } from './countPendingDeliveries';
export { countAccepted, countPublishRefusal } from './countPublishes';
export { STATUS_OUTPUT, type StatusOutput } from './statusOutput';
