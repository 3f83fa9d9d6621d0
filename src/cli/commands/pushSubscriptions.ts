import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { DEFAULT_MAX_SUBSCRIPTIONS } from '../../routing/config/constants';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV, WIRING_DEFAULTS, intEnv } from '../../wiring/environment';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, addJsonOption, busTargetOf } from './options';
import { readSubscriptionsFile, readTextFile } from './readSubscriptionsFile';

interface PushOptions {
  awsSecrets?: boolean;
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/**
 * `switchyard subscriptions push [file]`: checks the file as `subscriptions validate` does — judged as the target
 * judges it (a stage: https only, private addresses refused) — and, only when it is valid, uploads it to the
 * bus's config bucket, where the router picks the new version up at its next refresh.
 */
export function pushSubscriptionsCommand(context: CliContext): Command {
  return addJsonOption(
    addBusTargetOptions(
      new Command('push')
        .description("validate a subscriptions.json, then upload it to the bus's config bucket (nothing is uploaded when it has errors)")
        .argument('[file]', 'the file', 'subscriptions.json')
        .option('--aws-secrets', 'also resolve { secretsManager } and { ssm } references with your AWS credentials'),
    ),
    '{ valid, subscriptions, bucket, key, etag, versionId } or { valid: false, errors }',
  )
    .addHelpText(
      'after',
      '\nA local bus started with SUBSCRIPTIONS_FILE (npm start uses ./subscriptions.json) uploads that file again whenever it\n' +
        'changes, replacing what was pushed: edit that file instead, or start the bus with another SUBSCRIPTIONS_FILE.',
    )
    .action(async (file: string, options: PushOptions) => {
      const text = await readTextFile(file, context);
      const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
      const { config } = await readSubscriptionsFile(file, context, {
        text,
        secrets: 'check',
        awsSecrets: options.awsSecrets,
        aws: options.stage !== undefined,
        maxSubscriptions: intEnv(ENV.maxSubscriptions, DEFAULT_MAX_SUBSCRIPTIONS, target.env),
        json: options.json,
        refusal: 'is not valid: nothing was uploaded; fix the errors above',
      });
      const bucket = target.need(ENV.configBucketName);
      const key = target.env[ENV.subscriptionsKey] || WIRING_DEFAULTS.subscriptionsKey;
      const s3 = createAwsClients(target.env).s3;
      try {
        const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json' }));
        const count = config.subscriptions.length;
        if (options.json) {
          context.out(JSON.stringify({ valid: true, subscriptions: count, bucket, key, etag: put.ETag, ...(put.VersionId ? { versionId: put.VersionId } : {}) }));
        } else {
          context.out(
            `pushed ${file} (${count} subscription${count === 1 ? '' : 's'}) to s3://${bucket}/${key} on the ${target.description}: ` +
              `${put.VersionId ? `version ${put.VersionId}, ` : ''}ETag ${put.ETag}`,
          );
        }
      } finally {
        s3.destroy();
      }
    });
}
