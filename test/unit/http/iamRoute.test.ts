import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Credentials } from '../../../src/auth/Credentials';
import type { CredentialsDocumentSource } from '../../../src/auth/CredentialsDocumentSource';
import { hashToken } from '../../../src/auth/hashToken';
import type { CloudEventJson } from '../../../src/events/types';
import { fromApiGatewayEvent } from '../../../src/http/apiGateway';
import { routeRequest, type ApiDependencies } from '../../../src/http/routeRequest';
import { makeEvent } from '../../helpers/cloudEvents';

const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/order-service/task-1';

/** An API Gateway HTTP API (payload 2.0) event; `iam` as its IAM authorizer sets it. */
function apiEvent(rawPath: string, body: string, iam?: { userArn: string }): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/cloudevents+json', authorization: 'AWS4-HMAC-SHA256 Credential=…' },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' }, ...(iam ? { authorizer: { iam } } : {}) },
  } as unknown as APIGatewayProxyEventV2;
}

const document: CredentialsDocumentSource = {
  load: async () => ({
    producers: { orders: { tokenHashes: [hashToken('tok')], sources: ['/orders'], types: ['order.>'], iamPrincipals: ['arn:aws:iam::123456789012:role/order-service'] } },
    readers: {},
  }),
};

function deps(accepted: CloudEventJson[]): ApiDependencies {
  return {
    credentials: new Credentials({ document }),
    limits: {},
    accept: async (events) => {
      accepted.push(...events);
      return events.map((event) => ({ id: event.id, source: event.source, sequence: '1', shard: 'shardId-0', duplicate: false }));
    },
    store: { get: async () => undefined },
  };
}

describe('POST /iam/events (SigV4, behind API Gateway’s IAM authorizer)', () => {
  it('publishes as the producer whose iamPrincipals cover the verified caller, within its rights', async () => {
    const accepted: CloudEventJson[] = [];
    const event = makeEvent({ source: '/orders', type: 'order.created' });
    const request = fromApiGatewayEvent(apiEvent('/iam/events', JSON.stringify(event), { userArn: ROLE_SESSION }));
    expect(request).toMatchObject({ path: '/events', iamPrincipalArn: ROLE_SESSION });
    const response = await routeRequest(request, deps(accepted));
    expect(response.status).toBe(202);
    expect(accepted.map((e) => e.id)).toEqual([event.id]);

    const outside = fromApiGatewayEvent(apiEvent('/iam/events', JSON.stringify(makeEvent({ source: '/orders', type: 'user.created' })), { userArn: ROLE_SESSION }));
    const refused = await routeRequest(outside, deps(accepted));
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('forbidden_type');
    expect(accepted).toHaveLength(1);
  });

  it('answers 401 to a verified caller no producer names', async () => {
    const request = fromApiGatewayEvent(apiEvent('/iam/events', JSON.stringify(makeEvent({ source: '/orders', type: 'order.created' })), { userArn: 'arn:aws:sts::123456789012:assumed-role/other/x' }));
    const response = await routeRequest(request, deps([]));
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body).error.message).toBe("IAM principal arn:aws:sts::123456789012:assumed-role/other/x is not a producer: add it to a producer's iamPrincipals");
  });

  it('takes no principal from a request API Gateway did not authorize with IAM: /iam/events without it is no route', async () => {
    const unsigned = fromApiGatewayEvent(apiEvent('/iam/events', '{}'));
    expect(unsigned.iamPrincipalArn).toBeUndefined();
    expect(unsigned.path).toBe('/iam/events');
    expect((await routeRequest(unsigned, deps([]))).status).toBe(404);
    // On the bearer route an authorizer context (never set there by API Gateway) is not trusted either.
    const bearer = fromApiGatewayEvent(apiEvent('/events', '{}', { userArn: ROLE_SESSION }));
    expect(bearer.iamPrincipalArn).toBeUndefined();
    expect((await routeRequest(bearer, deps([]))).status).toBe(401);
  });
});
