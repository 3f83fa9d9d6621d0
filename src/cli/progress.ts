import { Presets, SingleBar } from 'cli-progress';
import type { CliContext } from './types';

/** A progress bar a long command updates; every method is a no-op when there is no terminal to draw on. */
export interface Progress {
  /** `n` more items done. */
  increment(n?: number): void;
  /** The total changed (e.g. learned while reading standard input). */
  setTotal(total: number): void;
  /** Draws the final state and leaves the line; call it once, before printing the result. */
  stop(): void;
}

export interface ProgressOptions {
  /** Items to do. */
  total: number;
  /** What the items are, plural: `events`. */
  unit: string;
  /** Before the bar: `publishing`. */
  label?: string;
}

const NONE: Progress = { increment: () => undefined, setTotal: () => undefined, stop: () => undefined };

/**
 * A cli-progress bar with percentage, count and ETA on standard error, drawn only when standard error is a
 * terminal (`context.terminal`): piped or redirected, a command's output holds its result lines and nothing else.
 * Shared by the CLI's long commands (publish --file, redrive, replay).
 */
export function startProgress(context: Pick<CliContext, 'terminal'>, options: ProgressOptions): Progress {
  const terminal = context.terminal;
  if (!terminal?.isTTY) return NONE;
  const bar = new SingleBar(
    {
      stream: terminal,
      format: `${options.label ? `${options.label} ` : ''}[{bar}] {percentage}% | {value}/{total} ${options.unit} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      // ETA over the last 50 updates: recent speed, not the average since the start.
      etaBuffer: 50,
      fps: 10,
    },
    Presets.shades_classic,
  );
  bar.start(options.total, 0);
  return {
    increment: (n = 1) => bar.increment(n),
    setTotal: (total) => bar.setTotal(total),
    stop: () => bar.stop(),
  };
}
