/**
 * Captures what Powertools prints (Logger and Metrics write through a Console on stdout and stderr: warnings and
 * errors go to stderr) as parsed JSON lines, in the order written.
 */
export function captureOutput(): { lines(): Array<Record<string, any>>; restore(): void } {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  let text = '';
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof stream.write;
  }
  return {
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, any>),
    restore: () => streams.forEach((stream, index) => (stream.write = originals[index]!)),
  };
}
