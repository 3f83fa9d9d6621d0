import type { EventQuery, EventQueryPage } from '../store/types';

/** A request as the routes see it, whichever front (API Gateway or the local bus) received it. */
export interface HttpRequest {
  method: string;
  path: string;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  body: Buffer;
  /**
   * The caller's IAM principal ARN, set only by the API Gateway adapter for a route behind its IAM authorizer
   * (`POST /iam/events`): API Gateway checked the SigV4 signature. Never taken from a header.
   */
  iamPrincipalArn?: string;
}

/** What identifies the caller of a request (see `Credentials.authenticate`). */
export function callerOf(request: HttpRequest): { authorization?: string; iamPrincipalArn?: string } {
  return { authorization: request.headers.authorization, iamPrincipalArn: request.iamPrincipalArn };
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** What the read routes (`GET /events`, `GET /feeds/…`, `GET /types`) need of the event store. */
export interface EventQueries {
  queryEvents(query: EventQuery): Promise<EventQueryPage>;
  /** The catalog of types seen, sorted. */
  listTypes(): Promise<string[]>;
}
