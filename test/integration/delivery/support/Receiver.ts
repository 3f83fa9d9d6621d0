import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Which TCP connection carried it (1-based, in order of arrival). */
  connection: number;
}

export type Respond = (request: ReceivedRequest, response: ServerResponse) => unknown;

/** A real HTTP receiver on 127.0.0.1, recording every request and connection. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  connections = 0;
  private respond: Respond = (_request, response) => response.writeHead(204).end();

  private constructor(private readonly server: Server) {}

  static async start(respond?: Respond): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    if (respond) receiver.respond = respond;
    const ids = new WeakMap<Socket, number>();
    server.on('connection', (socket) => {
      receiver.connections += 1;
      ids.set(socket, receiver.connections);
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
          connection: ids.get(req.socket) ?? 0,
        };
        receiver.requests.push(request);
        Promise.resolve(receiver.respond(request, res)).catch((error: unknown) => res.writeHead(500).end(String(error)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks', host = '127.0.0.1', scheme = 'http'): string {
    return `${scheme}://${host}:${this.port}${path}`;
  }

  /** Replaces how the receiver answers. */
  answer(respond: Respond): this {
    this.respond = respond;
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.connections = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
