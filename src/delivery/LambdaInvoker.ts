import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { CloudEventJson } from '../events/types';
import type { LambdaTarget } from '../routing/subscriptionTypes';
import { DEFAULT_THROTTLE_RETRY_MS, LOCAL_LAMBDA_ARN, MAX_RETRY_AFTER_MS } from './constants';
import { errorMessage } from './errorMessage';
import { failureOutcome } from './failurePolicy';
import { loadLocalHandler, type LocalInvokeContext } from './loadLocalHandler';
import { FAILURE_REASON, OUTCOME, type DeliveryOutcome } from './types';

/** Options of a LambdaInvoker. */
export interface LambdaInvokerOptions {
  /** Client for real function ARNs, or a function giving it on first use. @default a LambdaClient from the environment, built on first use */
  lambda?: LambdaClient | (() => LambdaClient);
  /**
   * `local.functions` of subscriptions.json: module path by function name (or by full local ARN), for
   * `arn:aws:lambda:local:000000000000:function:NAME`. A function is called on every invoke, so a reloaded
   * subscriptions file takes effect. @default none (local ARNs are dead-lettered)
   */
  localFunctions?: Record<string, string> | (() => Record<string, string> | undefined);
  /** Directory relative module paths start from: the subscriptions file's. @default process.cwd() */
  baseDir?: string;
}

/** Lambda's errors that no retry can fix: the payload itself is refused. */
const UNFIXABLE_ERRORS = new Set(['RequestTooLargeException', 'InvalidRequestContentException']);
/** Lambda's throttling errors. */
const THROTTLE_ERRORS = new Set(['TooManyRequestsException', 'EC2ThrottledException', 'ThrottlingException']);

/**
 * Invokes a Lambda target with the CloudEvent JSON as its payload: `Event` (asynchronous) by default,
 * `RequestResponse` when the target asks, where a function error counts as a failed delivery. Local ARNs run a
 * module of `local.functions` in process; there a throw is a function error in both invocation types, since the
 * local bus has no asynchronous-invoke retry queue to hand it to.
 */
export class LambdaInvoker {
  private lambda?: LambdaClient;
  private readonly lambdaProvider?: () => LambdaClient;
  private readonly localFunctions: () => Record<string, string> | undefined;
  private readonly baseDir: string;

  constructor(options: LambdaInvokerOptions = {}) {
    if (typeof options.lambda === 'function') this.lambdaProvider = options.lambda;
    else this.lambda = options.lambda;
    const local = options.localFunctions;
    this.localFunctions = typeof local === 'function' ? local : () => local;
    this.baseDir = options.baseDir ?? process.cwd();
  }

  /** One invocation, bounded by `timeoutMs`. Never throws. */
  async invoke(target: LambdaTarget, event: CloudEventJson, timeoutMs: number): Promise<DeliveryOutcome> {
    const started = performance.now();
    const invocationType = target.invocationType ?? 'Event';
    const local = LOCAL_LAMBDA_ARN.exec(target.arn);
    try {
      return local
        ? await this.invokeLocal(target.arn, local[1], invocationType, event, timeoutMs, started)
        : await this.invokeAws(target.arn, invocationType, event, timeoutMs, started);
    } catch (error) {
      return failureOutcome(error, elapsed(started));
    }
  }

  private async invokeAws(
    arn: string,
    invocationType: LambdaTarget['invocationType'],
    event: CloudEventJson,
    timeoutMs: number,
    started: number,
  ): Promise<DeliveryOutcome> {
    // The SDK package is loaded on the first invoke: functions with no Lambda target never pay for it.
    const sdk = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
    this.lambda ??= this.lambdaProvider?.() ?? new sdk.LambdaClient({});
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // Raced as well as passed to the SDK: a custom request handler may ignore the signal, and the deadline holds.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error('deadline'));
      }, timeoutMs);
    });
    let output: InvokeCommandOutput;
    try {
      const sent = this.lambda.send(
        new sdk.InvokeCommand({ FunctionName: arn, InvocationType: invocationType, Payload: Buffer.from(JSON.stringify(event)) }),
        { abortSignal: controller.signal },
      );
      sent.catch(() => undefined); // settles after the deadline won the race: nobody is listening
      output = await Promise.race([sent, deadline]);
    } catch (error) {
      return this.invokeFailure(error, controller.signal.aborted, timeoutMs, elapsed(started));
    } finally {
      clearTimeout(timer);
    }
    if (output.FunctionError) {
      return {
        kind: OUTCOME.retry,
        status: output.StatusCode,
        reason: FAILURE_REASON.functionError,
        error: `function error (${output.FunctionError}): ${functionErrorText(output.Payload)}`,
        durationMs: elapsed(started),
      };
    }
    return { kind: OUTCOME.delivered, status: output.StatusCode ?? statusOf(invocationType), durationMs: elapsed(started) };
  }

  private invokeFailure(error: unknown, timedOut: boolean, timeoutMs: number, durationMs: number): DeliveryOutcome {
    if (timedOut) return { kind: OUTCOME.retry, reason: FAILURE_REASON.timeout, error: `Invoke did not return within ${timeoutMs} ms`, durationMs };
    const { name, $metadata, retryAfterSeconds } = error as { name?: string; $metadata?: { httpStatusCode?: number }; retryAfterSeconds?: string };
    const status = $metadata?.httpStatusCode;
    const message = `Invoke failed: ${name ?? 'Error'}: ${errorMessage(error)}`;
    if (name !== undefined && THROTTLE_ERRORS.has(name)) {
      const seconds = Number(retryAfterSeconds);
      const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : DEFAULT_THROTTLE_RETRY_MS;
      return { kind: OUTCOME.retry, ...(status ? { status } : {}), reason: FAILURE_REASON.throttled, error: message, retryAfterMs, durationMs };
    }
    if (name !== undefined && UNFIXABLE_ERRORS.has(name)) {
      return { kind: OUTCOME.deadLetter, ...(status ? { status } : {}), reason: FAILURE_REASON.lambda, error: message, durationMs };
    }
    return { kind: OUTCOME.retry, ...(status ? { status } : {}), reason: FAILURE_REASON.lambda, error: message, durationMs };
  }

  private async invokeLocal(
    arn: string,
    name: string,
    invocationType: LambdaTarget['invocationType'],
    event: CloudEventJson,
    timeoutMs: number,
    started: number,
  ): Promise<DeliveryOutcome> {
    const functions = this.localFunctions();
    const modulePath = functions?.[name] ?? functions?.[arn];
    if (modulePath === undefined) {
      return {
        kind: OUTCOME.deadLetter,
        reason: FAILURE_REASON.invalidTarget,
        error: `local function "${name}" is not in local.functions of the subscriptions file`,
        durationMs: elapsed(started),
      };
    }
    const handler = await loadLocalHandler(modulePath, this.baseDir);
    const deadline = Date.now() + timeoutMs;
    const context: LocalInvokeContext = {
      functionName: name,
      invokedFunctionArn: arn,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    // The handler gets its own copy, as a real invoke would deserialize one: it cannot alter the engine's event.
    const payload: unknown = JSON.parse(JSON.stringify(event));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => handler(payload, context)), timedOut]);
      if (result === 'timeout') {
        return { kind: OUTCOME.retry, reason: FAILURE_REASON.timeout, error: `local function "${name}" did not return within ${timeoutMs} ms`, durationMs: elapsed(started) };
      }
    } catch (error) {
      return { kind: OUTCOME.retry, reason: FAILURE_REASON.functionError, error: `local function "${name}" threw: ${errorMessage(error)}`, durationMs: elapsed(started) };
    } finally {
      clearTimeout(timer);
    }
    return { kind: OUTCOME.delivered, status: statusOf(invocationType), durationMs: elapsed(started) };
  }
}

/** The status Lambda answers a successful invoke with. */
function statusOf(invocationType: LambdaTarget['invocationType']): number {
  return invocationType === 'RequestResponse' ? 200 : 202;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** `errorType: errorMessage` from a function's error payload, else its first characters. */
function functionErrorText(payload: Uint8Array | undefined): string {
  if (!payload || payload.length === 0) return 'no error payload';
  const text = Buffer.from(payload).toString('utf8');
  try {
    const parsed = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') {
      return errorMessage(typeof parsed.errorType === 'string' ? `${parsed.errorType}: ${parsed.errorMessage}` : parsed.errorMessage);
    }
  } catch {
    // Not JSON: quote it as text.
  }
  return errorMessage(text);
}
