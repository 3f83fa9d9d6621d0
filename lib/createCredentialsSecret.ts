import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * What a new stage's secret holds: no producer, no reader. It is the only value the template carries; tokens exist
 * only where `switchyard producers add` printed them, and their hashes only in the secret's later versions.
 */
export const EMPTY_CREDENTIALS_DOCUMENT = JSON.stringify({ producers: {}, readers: {} });

/** Props of {@link createCredentialsSecret}. */
export interface CredentialsSecretProps {
  /** Name of the stage, for the description. */
  readonly stage: string;
  /** The stage's key, encrypting the secret. */
  readonly encryptionKey: kms.IKey;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The stage's producers and readers (src/auth/types.ts `CredentialsDocument`): SHA-256 hashes of their bearer
 * tokens, their source prefixes and type patterns, and the IAM principals publishing as a producer. Created empty;
 * `switchyard producers add|revoke --stage` writes it with PutSecretValue, and a later deploy leaves it alone (the
 * template's value never changes). Ingest reads it (grantRead) and re-reads it every minute. Its construct id stays
 * `ProducerTokens`, so a stage deployed before keeps its secret (ARN and all): the deploy replaces its old value.
 */
export function createCredentialsSecret(scope: Construct, props: CredentialsSecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'ProducerTokens', {
    description: `Switchyard ${props.stage} producers and readers: token hashes and rights (switchyard producers add|list|revoke)`,
    encryptionKey: props.encryptionKey,
    // Not a secret: the empty document. Nothing here is a token or a hash.
    secretStringValue: SecretValue.unsafePlainText(EMPTY_CREDENTIALS_DOCUMENT),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The secret holds hashes of bearer tokens that producer and reader systems outside AWS keep; a rotation Lambda cannot hand them a new token. Operators rotate a credential with `switchyard producers add` (new name, new token) and `switchyard producers revoke` of the old one, which ingest applies within 60 s.',
  });
  return secret;
}
