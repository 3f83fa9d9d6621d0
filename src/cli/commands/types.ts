import { Command } from 'commander';
import { BusApi } from '../http/BusApi';
import { resolveApiTarget } from '../target/resolveApiTarget';
import type { CliContext } from '../types';
import { addApiTargetOptions, addJsonOption, apiTargetOf } from './options';

interface TypesOptions {
  json?: boolean;
  url?: string;
  token?: string;
  stage?: string;
  region?: string;
}

/** `switchyard types`: the catalog of event types the bus has seen (`GET /types`), one per line. */
export function typesCommand(context: CliContext): Command {
  return addJsonOption(addApiTargetOptions(new Command('types').description('list the event types the bus has seen, one per line')), 'the array of types').action(
    async (options: TypesOptions) => {
      const target = await resolveApiTarget(apiTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
      const api = new BusApi(target);
      try {
        const types = await api.listTypes();
        if (options.json) context.out(JSON.stringify(types));
        else if (types.length === 0) context.err(`${target.description} has seen no events yet: publish one with switchyard publish`);
        else for (const type of types) context.out(type);
      } finally {
        api.close();
      }
    },
  );
}
