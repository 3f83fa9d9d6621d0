export { createProgram, runCli } from './program';
export { CliError } from './errors';
export type { CliContext } from './types';
export { loadEventHandler, type WorkerModule } from './loadEventHandler';
export { resolveBusTarget, STAGE_OUTPUT_VARIABLES, type BusTarget, type BusTargetOptions } from './target/resolveBusTarget';
export {
  LOCAL_BUS_ENDPOINTS_FILE,
  readLocalBusEndpoints,
  removeLocalBusEndpoints,
  writeLocalBusEndpoints,
  type LocalBusEndpoints,
} from './target/localBusEndpoints';
export { describeStackOutputs, type StackOutputsReader } from './target/stackOutputs';
