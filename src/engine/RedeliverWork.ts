import type { ReplayJobs } from '../replay/ReplayJobs';
import { describeError } from './DeliveryBase';
import type { RedelivererLedger } from './ledgerPorts';
import type { EngineLog } from './types';

/** Options of {@link RedeliverWork}. */
export interface RedeliverWorkOptions {
  /** The ledger's `due` index (lane heads by next attempt time). */
  ledger: Pick<RedelivererLedger, 'due'>;
  /** Replay jobs (`switchyard replay`), run beside the sweep. */
  replayJobs: Pick<ReplayJobs, 'claimable'>;
  log: EngineLog;
}

/**
 * Whether a redeliver invocation has anything to do: a delivery that falls due before the sweep would end, or a
 * running replay job whose lease is free by then. Two small queries (the `due` index with a limit of one per
 * bucket, the replay jobs' partition), so an invocation with nothing to do costs a few milliseconds, not a
 * 55-second sweep: an idle stage pays almost nothing for its schedule. When it cannot tell (a read failed), it
 * answers yes, and the invocation sweeps as it always did.
 */
export class RedeliverWork {
  constructor(private readonly options: RedeliverWorkOptions) {}

  /** True when something is due, or a replay job can be taken, before `untilMs` (epoch ms). Never throws. */
  async anyBefore(untilMs: number): Promise<boolean> {
    try {
      const [due, jobs] = await Promise.all([this.options.ledger.due(untilMs, 1), this.options.replayJobs.claimable(untilMs)]);
      return due.length > 0 || jobs.length > 0;
    } catch (error) {
      this.options.log.warn('could not tell whether anything is due; sweeping', { error: describeError(error) });
      return true;
    }
  }
}
