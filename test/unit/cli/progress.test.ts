import { Writable } from 'node:stream';
import { startProgress } from '../../../src/cli/progress';

/** A stream that says it is a terminal and keeps what is drawn on it. */
function fakeTerminal(isTTY: boolean) {
  let drawn = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      drawn += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 120;
  return { stream, drawn: () => drawn };
}

describe('startProgress', () => {
  test('draws a bar with the count, percentage and ETA on a terminal', () => {
    const terminal = fakeTerminal(true);
    const progress = startProgress({ terminal: terminal.stream }, { total: 1_200, unit: 'events', label: 'publishing' });
    progress.increment(500);
    progress.increment(500);
    progress.stop();
    const text = terminal.drawn().replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    expect(text).toMatch(/publishing \[[^\]]+\] 83% \| 1000\/1200 events \| ETA \S+/);
  });

  test('learns a total as it goes (standard input)', () => {
    const terminal = fakeTerminal(true);
    const progress = startProgress({ terminal: terminal.stream }, { total: 0, unit: 'events' });
    progress.setTotal(10);
    progress.increment(5);
    progress.stop();
    expect(terminal.drawn()).toContain('5/10 events');
  });

  test('draws nothing without a terminal, or on a stream that is not one', () => {
    const piped = fakeTerminal(false);
    for (const context of [{}, { terminal: piped.stream }]) {
      const progress = startProgress(context, { total: 3, unit: 'events' });
      progress.increment();
      progress.stop();
    }
    expect(piped.drawn()).toBe('');
  });
});
