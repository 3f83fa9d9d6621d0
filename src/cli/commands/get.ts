import { Command } from 'commander';
import { BusApi } from '../http/BusApi';
import { resolveApiTarget } from '../target/resolveApiTarget';
import type { CliContext } from '../types';
import { addApiTargetOptions, addJsonOption, apiTargetOf } from './options';

interface GetOptions {
  source: string;
  json?: boolean;
  url?: string;
  token?: string;
  stage?: string;
  region?: string;
}

/**
 * `switchyard get <id> --source S`: the stored event (`GET /events/{id}?source=`), decrypted, as pretty JSON
 * (`--json`: one compact line). Exit 1 when the bus holds no such event.
 */
export function getCommand(context: CliContext): Command {
  return addJsonOption(
    addApiTargetOptions(
      new Command('get')
        .description('print a stored event by its source and id')
        .argument('<id>', 'the event id')
        .requiredOption('--source <source>', 'the event source (ids are unique per source)'),
    ),
    'the event on one line',
  ).action(async (id: string, options: GetOptions) => {
    const target = await resolveApiTarget(apiTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
    const api = new BusApi(target);
    try {
      const { event } = await api.getEvent(id, options.source);
      context.out(options.json ? JSON.stringify(event) : JSON.stringify(event, null, 2));
    } finally {
      api.close();
    }
  });
}
