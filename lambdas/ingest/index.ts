import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { fromApiGatewayEvent, routeRequest, toApiGatewayResult } from '../../src/http';
import { ingestApiFromEnvironment } from '../../src/wiring/ingestFromEnvironment';

const logger = new Logger({ serviceName: 'switchyard-ingest' });
const api = ingestApiFromEnvironment(process.env, {
  warn: (message, detail) => logger.warn(message, detail),
  error: (message, detail) => logger.error(message, detail),
});

/** API Gateway HTTP API → `POST /events`, `GET /events`, `GET /events/{id}`, `GET /feeds/{type-pattern}`, `GET /types`, `GET /health`. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
  toApiGatewayResult(await routeRequest(fromApiGatewayEvent(event), api));
