import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../src/events/constants';
import { PayloadTooLargeError } from '../../src/events/errors';
import { errorResponse } from '../../src/http/httpErrorOf';
import type { PublishSignal } from '../poller/PublishSignal';
import { toApiGatewayEvent } from './toApiGatewayEvent';

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface FrontOptions {
  /** @default DEFAULT_MAX_REQUEST_BYTES */
  maxRequestBytes?: number;
  /** Raised after each POST /events the handler answered with 2xx: the events are in the stream, pollers may read. */
  published?: PublishSignal;
}

export interface Front {
  url: string;
  close(): Promise<void>;
}

/**
 * The local stand-in for API Gateway: an HTTP server on 127.0.0.1 that passes each request to the ingest
 * handler. Bodies past the request limit are answered 413 without being buffered, as API Gateway would cut
 * them off too (the handler checks the exact limit again). After a POST /events answered 2xx (the events are in
 * Kinesis by then) it raises `published`, so the pollers read them without waiting out their idle pause.
 */
export function startFront(handler: ApiHandler, port: number, options: FrontOptions = {}): Promise<Front> {
  const { maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES, published } = options;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes + 1 && !refused) {
        refused = true;
        const refusal = errorResponse(new PayloadTooLargeError(`request body over ${maxRequestBytes} bytes`));
        response.writeHead(refusal.status, { ...refusal.headers, connection: 'close' }).end(refusal.body);
        request.resume();
      }
      if (!refused) chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      const event = toApiGatewayEvent(request, Buffer.concat(chunks));
      handler(event)
        .then((result) => {
          const status = result.statusCode ?? 200;
          // Only POST /events answers 202 (its events are in Kinesis by then).
          if (published && status === 202) published.published();
          response.writeHead(status, result.headers as Record<string, string>);
          response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
        })
        .catch((error) => {
          // The handler maps its own errors; reaching here is a bug, answered as the API answers any unexpected error.
          const failure = errorResponse(error, (unexpected) => console.error('ingest handler threw', unexpected));
          response.writeHead(failure.status, failure.headers).end(failure.body);
        });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeIdleConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
