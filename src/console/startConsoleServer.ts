import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleHandler } from './consoleHandler';

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The console on its own server (`switchyard console`): 127.0.0.1 only, never another interface, since it acts
 * with the operator's own AWS credentials. Any other path is sent to `/console`.
 */
export function startConsoleServer(handler: ConsoleHandler, port: number): Promise<ConsoleServer> {
  const server = createServer((request, response) => {
    if (handler(request, response)) return;
    request.resume();
    response.writeHead(302, { location: '/console' }).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}/console`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
