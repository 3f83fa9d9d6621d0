import { runCli } from '../../../src/cli/program';
import { cliContext } from './support/cliContext';

const context = (env: NodeJS.ProcessEnv = {}) => cliContext(env);

describe('switchyard (argument handling)', () => {
  test('lists every command in its help and exits 0', async () => {
    const { ctx, out } = context();
    expect(await runCli(['--help'], ctx)).toBe(0);
    const help = out.join('\n');
    for (const command of ['worker', 'parked', 'deliveries', 'subscriptions']) expect(help).toContain(`\n  ${command}`);
  });

  test.each([
    [['worker', '--handler', './h.js'], "error: required option '--consumer <name>' not specified"],
    [['worker', '--consumer', 'c', '--handler', './h.js', '--from', 'yesterday'], 'start position must be trim-horizon, latest, an ISO 8601 time or a sequence number, got "yesterday"'],
    [['worker', '--consumer', 'c', '--handler', './h.js', '--max-attempts', '0'], '--max-attempts must be a positive integer, got "0"'],
    [['worker', '--consumer', 'c', '--handler', './h.js', '--log-level', 'loud'], "error: option '--log-level <level>' argument 'loud' is invalid"],
    [['deliveries', 'redrive', '--subscription', 's1'], 'switchyard: redrive needs exactly one of: --lane and --sequence (one dead letter), --all, or --since'],
    [['deliveries', 'redrive', '--subscription', 's1', '--lane', 'key:a'], 'switchyard: redrive needs exactly one of: --lane and --sequence (one dead letter), --all, or --since'],
    [['deliveries', 'redrive', '--subscription', 's1', '--lane', 'key:a', '--sequence', '1', '--reason', 'exhausted'], 'switchyard: --reason goes with --all'],
    [['nonsense'], "error: unknown command 'nonsense'"],
  ])('refuses %j with exit code 2 and says why', async (argv, message) => {
    const { ctx, err } = context();
    expect(await runCli(argv, ctx)).toBe(2);
    expect(err.join('\n')).toContain(message);
  });

  test('fails with exit code 1 and one line when no local bus runs', async () => {
    const { ctx, err } = context({ SWITCHYARD_DATA_DIR: '/nonexistent/switchyard' });
    expect(await runCli(['worker', '--consumer', 'c', '--handler', './h.js'], ctx)).toBe(1);
    expect(err).toEqual([
      'switchyard: no local bus is running on /nonexistent/switchyard (/nonexistent/switchyard/endpoints.json is missing): start one with `npm start`, or pass --data-dir / --stage',
    ]);
  });

  test('reports an unexpected failure with exit code 1 and its message', async () => {
    const { ctx, err } = context();
    ctx.readStackOutputs = async () => {
      throw new Error('connect ETIMEDOUT');
    };
    expect(await runCli(['subscriptions', 'disabled', '--stage', 'prod'], ctx)).toBe(1);
    expect(err).toEqual(['switchyard: connect ETIMEDOUT']);
  });
});
