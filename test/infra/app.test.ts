import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cdkJsonContext, REPO_ROOT } from './helpers';

/** Runs bin/app.ts the way the CDK CLI does (context and output directory through the environment). */
function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'switchyard-app-'));
  const result = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      // The stack's code is bundled by the stage tests; here only the app and its checks are under test.
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context }),
    },
  });
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('synthesizes Switchyard-<stage> with the cdk-nag plugin reporting nothing', () => {
    const run = runApp({ stage: 'ci' });
    outdirs.push(run.outdir);
    expect(run.stderr).not.toMatch(/AwsSolutions/);
    expect(run.status).toBe(0);
    expect(existsSync(path.join(run.outdir, 'Switchyard-ci.template.json'))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(run.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });

  test('without a stage, exits 1 saying -c stage=<name>', () => {
    const run = runApp({});
    outdirs.push(run.outdir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('switchyard: no stage given: run cdk with -c stage=<name>, where <name> is one of: ci, dev, prod');
  });

  test('with an unknown stage, exits 1 listing the known ones', () => {
    const run = runApp({ stage: 'qa' });
    outdirs.push(run.outdir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('switchyard: unknown stage "qa": known stages are ci, dev, prod');
  });
});
