import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from './types';

/** Prefix of the routes behind API Gateway's IAM authorizer (`POST /iam/events`): the same routes, signed with SigV4. */
export const IAM_ROUTE_PREFIX = '/iam';

/**
 * API Gateway HTTP API (payload 2.0) → the routes' request. Header names arrive lower-cased already. A request
 * API Gateway authorized with IAM carries its caller's principal ARN and loses the `/iam` prefix of its path.
 */
export function fromApiGatewayEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  // Only API Gateway sets the authorizer context, and only on routes behind its IAM authorizer.
  const iamPrincipalArn = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn;
  const signed = iamPrincipalArn !== undefined && event.rawPath.startsWith(`${IAM_ROUTE_PREFIX}/`);
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: signed ? event.rawPath.slice(IAM_ROUTE_PREFIX.length) : event.rawPath,
    headers,
    query: { ...(event.queryStringParameters ?? {}) },
    body,
    ...(signed ? { iamPrincipalArn } : {}),
  };
}

/** The routes' response → API Gateway HTTP API result. */
export function toApiGatewayResult(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.status, headers: response.headers, body: response.body, isBase64Encoded: false };
}
