import { join } from 'node:path';
import { InvokeCommand, LambdaClient, ResourceNotFoundException, TooManyRequestsException, RequestTooLargeException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { deliver, type DeliveryDeps } from '../../../src/delivery/deliver';
import { createDeliveryDeps } from '../../../src/delivery/createDeliveryDeps';
import type { CloudEventJson } from '../../../src/events/types';
import type { DeliveryOptions, LambdaTarget } from '../../../src/routing/subscriptionTypes';
import { makeEvent } from '../../helpers/cloudEvents';
import { received } from './fixtures/recordingFunction';
import { calls } from './fixtures/defaultExportFunction';
import { secretResolver, subscription } from './support/subscriptions';

// No local emulator runs Lambda functions (the project's emulators are DynamoDB, Kinesis, S3 and its own KMS),
// so real ARNs are exercised against aws-sdk-client-mock, which checks the Invoke request we build and feeds
// back Lambda's documented answers. Local ARNs run real modules from ./fixtures.

const lambda = new LambdaClient({ region: 'ap-southeast-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const lambdaMock = mockClient(lambda);
const ARN = 'arn:aws:lambda:ap-southeast-2:123456789012:function:audit';
const local = (name: string) => `arn:aws:lambda:local:000000000000:function:${name}`;

let localFunctions: Record<string, string> = {};
const deps: DeliveryDeps = createDeliveryDeps({
  resolveSecret: secretResolver({}),
  lambdas: { lambda, localFunctions: () => localFunctions, baseDir: join(__dirname, 'fixtures') },
});

beforeEach(() => {
  lambdaMock.reset();
  received.length = 0;
  calls.length = 0;
  localFunctions = {
    recorder: './recordingFunction.ts',
    failing: './failingFunction.js',
    byDefault: './defaultExportFunction.ts',
    slow: './slowFunction.js',
    empty: './noHandler.js',
    missing: './doesNotExist.js',
    [local('byArn')]: join(__dirname, 'fixtures', 'recordingFunction.ts'),
  };
});

function toLambda(arn: string, invocationType?: LambdaTarget['invocationType'], delivery: Partial<DeliveryOptions> = {}) {
  return subscription({ kind: 'lambda', lambda: { arn, ...(invocationType ? { invocationType } : {}) } as LambdaTarget }, delivery);
}

function sentPayload(): CloudEventJson {
  const input = lambdaMock.commandCalls(InvokeCommand)[0].args[0].input;
  return JSON.parse(Buffer.from(input.Payload as Uint8Array).toString()) as CloudEventJson;
}

describe('Lambda delivery (aws-sdk-client-mock)', () => {
  it('invokes asynchronously (Event) by default with the CloudEvent as the payload', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const event = makeEvent();
    expect(await deliver(event, toLambda(ARN), deps)).toMatchObject({ kind: 'delivered', status: 202 });

    const input = lambdaMock.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input).toMatchObject({ FunctionName: ARN, InvocationType: 'Event' });
    expect(sentPayload()).toEqual(event);
  });

  it('invokes with RequestResponse when the target asks', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('{"ok":true}') as never, ExecutedVersion: '$LATEST' });
    expect(await deliver(makeEvent(), toLambda(ARN, 'RequestResponse'), deps)).toMatchObject({ kind: 'delivered', status: 200 });
    expect(lambdaMock.commandCalls(InvokeCommand)[0].args[0].input.InvocationType).toBe('RequestResponse');
  });

  it('shapes the payload first: metadata subscribers get no data', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    await deliver(makeEvent(), toLambda(ARN, undefined, { payload: 'metadata' }), deps);
    expect(sentPayload()).not.toHaveProperty('data');
  });

  it('counts a function error as a failed delivery, quoting the error', async () => {
    const errorPayload = { errorType: 'ValidationError', errorMessage: 'order total missing', trace: ['at handler'] };
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify(errorPayload)) as never });
    const outcome = await deliver(makeEvent(), toLambda(ARN, 'RequestResponse'), deps);
    expect(outcome).toMatchObject({ kind: 'retry', status: 200, reason: 'function_error', error: 'function error (Unhandled): ValidationError: order total missing' });
  });

  it('retries a throttle after the delay Lambda names, else after a second', async () => {
    lambdaMock.on(InvokeCommand).rejects(
      new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 }, retryAfterSeconds: '7', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }),
    );
    expect(await deliver(makeEvent(), toLambda(ARN), deps)).toMatchObject({ kind: 'retry', status: 429, reason: 'throttled', retryAfterMs: 7000 });

    lambdaMock.reset();
    lambdaMock.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    expect(await deliver(makeEvent(), toLambda(ARN), deps)).toMatchObject({ kind: 'retry', reason: 'throttled', retryAfterMs: 1000 });
  });

  it('retries other Invoke failures and dead-letters a payload Lambda will never take', async () => {
    lambdaMock.on(InvokeCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: { httpStatusCode: 404 } }));
    expect(await deliver(makeEvent(), toLambda(ARN), deps)).toMatchObject({ kind: 'retry', status: 404, reason: 'lambda', error: 'Invoke failed: ResourceNotFoundException: Function not found' });

    lambdaMock.reset();
    lambdaMock.on(InvokeCommand).rejects(new RequestTooLargeException({ message: 'Request must be smaller than 1048576 bytes', $metadata: { httpStatusCode: 413 } }));
    expect(await deliver(makeEvent(), toLambda(ARN), deps)).toMatchObject({ kind: 'deadLetter', status: 413, reason: 'lambda' });
  });

  it('gives up on an Invoke that outlasts the subscription timeout', async () => {
    lambdaMock.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
    const outcome = await deliver(makeEvent(), toLambda(ARN, 'RequestResponse', { timeoutSeconds: 0.2 }), deps);
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'timeout', error: 'Invoke did not return within 200 ms' });
  });
});

describe('local Lambda functions (real modules)', () => {
  it('runs the module named in local.functions with the event and a Lambda-like context', async () => {
    const event = makeEvent();
    expect(await deliver(event, toLambda(local('recorder')), deps)).toMatchObject({ kind: 'delivered', status: 202 });
    expect(await deliver(event, toLambda(local('recorder'), 'RequestResponse'), deps)).toMatchObject({ kind: 'delivered', status: 200 });

    expect(received).toHaveLength(2);
    expect(received[0].event).toEqual(event);
    expect(received[0].event).not.toBe(event); // its own copy, as a real invoke deserializes one
    expect(received[0].functionName).toBe('recorder');
    expect(received[0].remainingMs).toBeGreaterThan(14_000);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('finds a module by the full ARN, an absolute path and a default export', async () => {
    expect(await deliver(makeEvent(), toLambda(local('byArn')), deps)).toMatchObject({ kind: 'delivered' });
    expect(received).toHaveLength(1);
    expect(await deliver(makeEvent(), toLambda(local('byDefault') + ':live'), deps)).toMatchObject({ kind: 'delivered' });
    expect(calls).toHaveLength(1);
  });

  it('counts a throw as a function error', async () => {
    const outcome = await deliver(makeEvent(), toLambda(local('failing')), deps);
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'function_error', error: 'local function "failing" threw: cannot read the order' });
  });

  it('times out a function that outlasts the subscription timeout', async () => {
    const outcome = await deliver(makeEvent(), toLambda(local('slow'), undefined, { timeoutSeconds: 0.2 }), deps);
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'timeout' });
  });

  it('retries a module that does not load or has no handler, and dead-letters a name not in local.functions', async () => {
    expect(await deliver(makeEvent(), toLambda(local('missing')), deps)).toMatchObject({ kind: 'retry', reason: 'function_error' });
    const empty = await deliver(makeEvent(), toLambda(local('empty')), deps);
    expect(empty).toMatchObject({ kind: 'retry', reason: 'function_error' });
    expect(empty.kind === 'retry' && empty.error).toContain('exports no handler');
    expect(await deliver(makeEvent(), toLambda(local('unknown')), deps)).toMatchObject({
      kind: 'deadLetter',
      reason: 'invalid_target',
      error: 'local function "unknown" is not in local.functions of the subscriptions file',
    });
  });
});
