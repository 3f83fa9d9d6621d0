import { runCli } from '../../../src/cli/program';
import { cliContext } from './support/cliContext';

const context = (env: NodeJS.ProcessEnv = {}) => cliContext(env);

describe('switchyard (argument handling)', () => {
  test('lists every command in its help and exits 0', async () => {
    const { ctx, out } = context();
    expect(await runCli(['--help'], ctx)).toBe(0);
    const help = out.join('\n');
    for (const command of ['publish', 'get', 'tail', 'types', 'worker', 'parked', 'deliveries', 'subscriptions']) expect(help).toContain(`\n  ${command}`);
  });

  test.each([['publish'], ['get'], ['tail'], ['types'], ['subscriptions', 'push']])('%j has --help, with --json among its options', async (...path) => {
    const { ctx, out } = context();
    expect(await runCli([...path, '--help'], ctx)).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`^Usage: switchyard ${path.join(' ')} `));
    expect(out.join('\n')).toMatch(/^ {2}--json +machine output: /m);
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
    [['publish', '--source', '/shop'], 'switchyard: publish needs --type (or --file events.ndjson); see switchyard publish --help'],
    [['publish', '--type', 't'], 'switchyard: publish needs --source (or --file events.ndjson)'],
    [['publish', '--type', 't', '--source', '/s', '--url', 'http://a', '--stage', 'prod'], 'switchyard: pass --url or --stage, not both'],
    [['publish', '--type', 't', '--source', '/s', '--url', 'localhost:4000'], 'switchyard: --url must be an http(s) URL such as http://127.0.0.1:4000, got "localhost:4000"'],
    [['get', 'evt-1'], "error: required option '--source <source>' not specified\n(switchyard get --help shows the usage)"],
    [['tail', '--types', 'a.>.b'], '--types ">" must be the last token ("a.>.b")'],
    [['subscriptions', 'push', '/nonexistent/subscriptions.json'], 'switchyard: cannot read /nonexistent/subscriptions.json (ENOENT): give the path of a subscriptions.json'],
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
