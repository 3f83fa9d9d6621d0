import { userInfo } from 'node:os';
import type { Actor } from './types';

/** The local operator: the OS user running the bus (the console there has no other identity to go by). */
export function localOperator(): () => Promise<Actor> {
  return async () => ({ name: safeUser() });
}

/**
 * The operator of a stage: the AWS caller identity (`sts:GetCallerIdentity`) when `@aws-sdk/client-sts` is
 * installed, else the profile the credentials come from, and the OS user either way.
 */
export function stageOperator(env: NodeJS.ProcessEnv): () => Promise<Actor> {
  return async () => {
    const user = safeUser();
    try {
      // Optional: not a dependency of the bus, so loaded by name when present.
      const sts = require('@aws-sdk/client-sts') as {
        STSClient: new (config: object) => { send(command: unknown): Promise<{ Arn?: string }> };
        GetCallerIdentityCommand: new (input: object) => unknown;
      };
      const client = new sts.STSClient(env.AWS_REGION ? { region: env.AWS_REGION } : {});
      const identity = await client.send(new sts.GetCallerIdentityCommand({}));
      if (identity.Arn) return { name: `${identity.Arn} (os user ${user})` };
    } catch {
      // No STS client, or no answer: fall back to the profile name.
    }
    return { name: `profile ${env.AWS_PROFILE || 'default'} (os user ${user})` };
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || 'unknown';
  }
}
