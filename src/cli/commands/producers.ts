import { join, resolve } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command, InvalidArgumentError } from 'commander';
import { CREDENTIALS_CACHE_MS } from '../../auth/CredentialsDocumentSource';
import { FileCredentialsStore, SecretsManagerCredentialsStore, type CredentialsStore } from '../../auth/CredentialsStore';
import { addCredential, revokeCredential } from '../../auth/editCredentials';
import { CredentialsDocumentError } from '../../auth/errors';
import { validateSubjectPattern } from '../../routing/validateSubjectPattern';
import { CliError } from '../errors';
import { formatTable } from '../formatTable';
import { describeStackOutputs } from '../target/stackOutputs';
import type { CliContext } from '../types';

/** The stack output naming the stage's credentials secret (see lib/SwitchyardStage.ts). */
export const CREDENTIALS_SECRET_OUTPUT = 'ProducerTokensSecretArn';
/** The local bus's producers file in its data dir (local/main.ts reads the same). */
export const LOCAL_PRODUCERS_FILE = 'producers.json';

interface StoreOptions {
  stage?: string;
  region?: string;
  dataDir?: string;
  file?: string;
  json?: boolean;
}

interface AddOptions extends StoreOptions {
  sources?: string[];
  types: string[];
  reader?: boolean;
  iamPrincipals?: string[];
}

/**
 * `switchyard producers add|list|revoke`: who may publish which sources and types, and who may read which types.
 * A stage keeps them in its Secrets Manager secret (read and written with the operator's AWS credentials); the
 * local bus in its producers file. Only token hashes are stored: `add` prints the new token once.
 */
export function producersCommand(context: CliContext): Command {
  const producers = new Command('producers').description('producers and readers: their tokens (stored hashed) and rights');
  producers.addCommand(
    withStore(new Command('add').description('add a producer (or a reader with --reader) with a new token, printed once').argument('<name>', 'letters, digits, ".", "_", "-"'))
      .option('--sources <prefixes>', 'comma-separated source prefixes it may publish ("/shop" covers /shop and /shop/…; "*" any)', list)
      .requiredOption('--types <patterns>', 'comma-separated type patterns it may publish, or read with --reader (e.g. order.>,cart.*)', typePatterns)
      .option('--reader', 'a reader: GET /events, /events/{id}, /feeds/…, /types of its --types only; cannot publish')
      .option('--iam-principals <arns>', 'comma-separated IAM principal ARNs (with * wildcards) publishing as this producer through POST /iam/events', list)
      .option('--json', 'machine output: { name, kind, token, rights }')
      .action(async (name: string, options: AddOptions) => {
        if (options.reader && (options.sources || options.iamPrincipals)) throw new CliError('a reader takes --types only: drop --sources and --iam-principals, or --reader');
        if (!options.reader && !options.sources) throw new CliError('a producer needs --sources (the source prefixes it may publish, "*" for any), or pass --reader');
        const store = await storeOf(options, context);
        const { token } = await addTo(store, { name, ...options });
        const kind = options.reader ? 'reader' : 'producer';
        const rights = options.reader ? { types: options.types } : { sources: options.sources, types: options.types, ...(options.iamPrincipals ? { iamPrincipals: options.iamPrincipals } : {}) };
        if (options.json) {
          context.out(JSON.stringify({ name, kind, token, rights }));
        } else {
          context.out(`${kind} ${name} added to ${store.description}`);
          context.out(`token: ${token}`);
          context.out(`keep it now: only its hash is stored, so it cannot be shown again${options.stage ? `; ingest applies it within ${CREDENTIALS_CACHE_MS / 1000} s` : ''}`);
        }
      }),
  );
  producers.addCommand(
    withStore(new Command('list').description('producers and readers with their rights (never tokens or hashes)'))
      .option('--json', 'machine output: one { name, kind, sources?, types, iamPrincipals?, tokens } per line')
      .action(async (options: StoreOptions) => {
        const store = await storeOf(options, context);
        const document = await read(store);
        const rows: Array<{ name: string; kind: string; sources?: string[]; types: string[]; iamPrincipals?: string[]; tokens: number }> = [
          ...Object.entries(document.producers).map(([name, p]) => ({ name, kind: 'producer', sources: p.sources, types: p.types, ...(p.iamPrincipals ? { iamPrincipals: p.iamPrincipals } : {}), tokens: p.tokenHashes.length })),
          ...Object.entries(document.readers).map(([name, r]) => ({ name, kind: 'reader', types: r.types, tokens: r.tokenHashes.length })),
        ].sort((a, b) => a.name.localeCompare(b.name));
        if (options.json) {
          for (const row of rows) context.out(JSON.stringify(row));
          return;
        }
        if (rows.length === 0) {
          context.out(`no producers or readers in ${store.description}: add one with switchyard producers add NAME --sources … --types …`);
          return;
        }
        const table = rows.map((row) => [row.name, row.kind, row.sources?.join(',') ?? '-', row.types.join(','), row.iamPrincipals?.join(',') ?? '-', String(row.tokens)]);
        for (const line of formatTable(['NAME', 'KIND', 'SOURCES', 'TYPES', 'IAM PRINCIPALS', 'TOKENS'], table)) context.out(line);
      }),
  );
  producers.addCommand(
    withStore(new Command('revoke').description('remove a producer or reader: its tokens and IAM principals stop working').argument('<name>'))
      .option('--json', 'machine output: { name, revoked }')
      .action(async (name: string, options: StoreOptions) => {
        const store = await storeOf(options, context);
        const next = revokeCredential(await read(store), name);
        if (!next) throw CliError.failure(`no producer or reader named ${name} in ${store.description}: see switchyard producers list`);
        await store.write(next);
        context.out(
          options.json
            ? JSON.stringify({ name, revoked: true })
            : `${name} revoked in ${store.description}${options.stage ? `; ingest refuses its tokens within ${CREDENTIALS_CACHE_MS / 1000} s` : ''}`,
        );
      }),
  );
  return producers;
}

function withStore(command: Command): Command {
  return command
    .option('--stage <name>', "a deployed stage: its secret (stack Switchyard-<name>'s output ProducerTokensSecretArn)")
    .option('--region <region>', 'AWS region of the stage (default: AWS_REGION or the profile)')
    .option('--data-dir <dir>', `the local bus's data dir, whose ${LOCAL_PRODUCERS_FILE} it edits (default: SWITCHYARD_DATA_DIR or .switchyard)`)
    .option('--file <path>', 'a producers file to edit (as SWITCHYARD_PRODUCERS_FILE names it)');
}

async function addTo(store: CredentialsStore, options: AddOptions & { name: string }) {
  const current = await read(store);
  let added;
  try {
    added = addCredential(current, { name: options.name, reader: options.reader, sources: options.sources, types: options.types, iamPrincipals: options.iamPrincipals });
  } catch (error) {
    if (error instanceof CredentialsDocumentError) throw new CliError(error.message);
    throw error;
  }
  await store.write(added.document);
  return added;
}

async function read(store: CredentialsStore) {
  try {
    return await store.read();
  } catch (error) {
    if (error instanceof CredentialsDocumentError) throw CliError.failure(`${error.message}: fix it by hand, or start again from {"producers":{},"readers":{}}`, { cause: error });
    throw error;
  }
}

async function storeOf(options: StoreOptions, context: CliContext): Promise<CredentialsStore> {
  const targets = [options.stage !== undefined, options.dataDir !== undefined, options.file !== undefined].filter(Boolean).length;
  if (targets > 1) throw new CliError('pass one of --stage, --data-dir, --file');
  if (options.stage === undefined) {
    if (options.file !== undefined) return new FileCredentialsStore(resolve(context.cwd, options.file));
    const dataDir = resolve(context.cwd, options.dataDir ?? (context.env.SWITCHYARD_DATA_DIR || '.switchyard'));
    return new FileCredentialsStore(join(dataDir, LOCAL_PRODUCERS_FILE));
  }
  if (!/^[A-Za-z][A-Za-z0-9-]{0,100}$/.test(options.stage)) throw new CliError(`--stage must be a stage name (letters, digits, hyphens), got ${JSON.stringify(options.stage)}`);
  const stackName = `Switchyard-${options.stage}`;
  const outputs = await (context.readStackOutputs ?? describeStackOutputs)(stackName, options.region);
  const secretId = outputs[CREDENTIALS_SECRET_OUTPUT];
  if (!secretId) throw new CliError(`stack ${stackName} has no output ${CREDENTIALS_SECRET_OUTPUT}: redeploy the stage with this version`);
  const region = options.region ?? context.env.AWS_REGION;
  return new SecretsManagerCredentialsStore({ client: new SecretsManagerClient(region ? { region } : {}), secretId });
}

function list(value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  if (items.length === 0) throw new InvalidArgumentError(`expected a comma-separated list, got ${JSON.stringify(value)}`);
  return items;
}

function typePatterns(value: string): string[] {
  return list(value).map((pattern) => {
    const problem = validateSubjectPattern(pattern);
    if (problem) throw new InvalidArgumentError(`${JSON.stringify(pattern)} ${problem}: tokens split on ".", "*" one token, ">" the rest`);
    return pattern;
  });
}
