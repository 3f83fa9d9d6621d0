import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { fromApiGatewayEvent, routeRequest, toApiGatewayResult } from '../../src/http';
import { countAccepted, countKmsRequests, countPublishRefusal, functionTelemetry, SERVICE } from '../../src/observability';
import { createAwsClients } from '../../src/wiring/awsClients';
import { ingestApiFromEnvironment } from '../../src/wiring/ingestFromEnvironment';

const telemetry = functionTelemetry(SERVICE.ingest);
const clients = createAwsClients(process.env);
countKmsRequests(clients.kms, telemetry.metrics);
const api = ingestApiFromEnvironment(process.env, telemetry.log, clients);
// Counted where the events are known to be in the stream: new ones published, and duplicates answered.
const accept = api.accept;
api.accept = async (events) => {
  const accepted = await accept(events);
  countAccepted(telemetry.metrics, accepted);
  return accepted;
};

/**
 * API Gateway HTTP API → `POST /events`, `GET /events`, `GET /events/{id}`, `GET /feeds/{type-pattern}`, `GET /types`, `GET /health`.
 * A request may carry a batch of events, so its log lines are correlated by the API's request id.
 */
export const handler = async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  telemetry.begin(context);
  telemetry.logger.setCorrelationId(event.requestContext?.requestId);
  try {
    const request = fromApiGatewayEvent(event);
    const response = await routeRequest(request, api);
    countPublishRefusal(telemetry.metrics, request, response);
    return toApiGatewayResult(response);
  } finally {
    telemetry.flush();
  }
};
