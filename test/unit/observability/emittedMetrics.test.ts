import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENGINE_METRIC } from '../../../src/engine/types';
import { EMITTED_METRIC_NAMES, FUNCTION_METRIC, INGEST_METRIC, WORKER_METRIC } from '../../../src/observability/constants';

const ROOT = join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The code that runs in the functions, without the files that only declare the names. */
const code = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'lambdas'))]
  .filter((path) => !['src/observability/constants.ts', 'src/engine/types.ts'].includes(relative(ROOT, path)))
  .map((path) => readFileSync(path, 'utf8'))
  .join('\n');

describe('the metric names the dashboard and the alarms may use (EMITTED_METRIC_NAMES)', () => {
  const groups = { ENGINE_METRIC, INGEST_METRIC, FUNCTION_METRIC, WORKER_METRIC } as const;
  const entries = Object.entries(groups).flatMap(([group, names]) => Object.entries(names).map(([key, name]) => ({ group, key, name })));

  test.each(entries.filter(({ name }) => name !== FUNCTION_METRIC.coldStart))('$name is emitted by the functions\' code ($group, key $key)', ({ group, key }) => {
    expect(code).toContain(`${group}.${key}`);
  });

  test('ColdStart is Powertools\' own, emitted by captureColdStartMetric in every function', () => {
    expect(readFileSync(join(ROOT, 'src/observability/functionTelemetry.ts'), 'utf8')).toContain('metrics.captureColdStartMetric()');
  });

  test('every name is listed once', () => {
    expect(EMITTED_METRIC_NAMES).toEqual([...new Set(entries.map(({ name }) => name))]);
  });
});
