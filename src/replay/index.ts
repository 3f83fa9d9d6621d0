export * from './types';
export * from './errors';
export { ReplayJobs, REPLAY_PK, type ReplayJobsOptions } from './ReplayJobs';
export { ReplayRunner, queryOf, replayPageSize, type ReplayEventSource, type ReplayLog, type ReplayRunnerOptions, type ReplayRunOptions, type ReplayRunResult } from './ReplayRunner';
export { ReplayDelivery, type PageContext, type PageOutcome, type ReplayLedger } from './ReplayDelivery';
export { replayLaneOf, REPLAY_LANE_PREFIX } from './replayLaneOf';
export { parseReplayFrom, parseReplayTime, type ReplayStart } from './parseReplayFrom';
export { arrivalTimeOfSequence } from './arrivalTimeOfSequence';
export { countReplayMatches, type ReplayCount } from './countReplayMatches';
