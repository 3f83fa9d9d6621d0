import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { timingSafeEqual, createHash } from 'node:crypto';
import { jsonResponse, type HttpResponse } from '../http/types';
import { CONSOLE_HTML, consoleBundle } from './buildConsoleBundle';
import { handleConsoleApi } from './consoleRoutes';
import { streamTail } from './routes/tail';
import type { ConsoleDeps } from './types';

export const CONSOLE_PREFIX = '/console';
/** Every API call carries it: a cross-site form or image cannot, and a script from another origin needs a preflight we never answer. */
export const CONSOLE_HEADER = 'x-switchyard-console';
const MAX_BODY_BYTES = 1024 * 1024;

export interface ConsoleHandlerOptions {
  /** The bus's token: API calls must send it as `Authorization: Bearer …` (the page asks for it once per tab). */
  token?: string;
}

/** Answers a request under `/console` (the page, its script and style, the API); false for any other path. */
export type ConsoleHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The console over one bus: static files and `/console/api/…`. API calls are refused unless they carry the
 * console header, come to a loopback Host (a DNS-rebinding page names its own host) and, when the bus has a
 * token, send it in the Authorization header — never in the URL.
 */
export function createConsoleHandler(deps: ConsoleDeps, options: ConsoleHandlerOptions = {}): ConsoleHandler {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== CONSOLE_PREFIX && !url.pathname.startsWith(`${CONSOLE_PREFIX}/`)) return false;
    const answer = (result: HttpResponse) => response.writeHead(result.status, { ...result.headers, ...SECURITY_HEADERS }).end(result.body);
    const fail = (error: unknown) => {
      console.error(JSON.stringify({ level: 'ERROR', message: 'console failed', error: String(error) }));
      if (!response.headersSent) answer(jsonResponse(500, { error: { code: 'internal_error', message: 'internal error' } }));
      else response.end();
    };
    const sub = url.pathname.slice(CONSOLE_PREFIX.length);
    if (!sub.startsWith('/api/')) {
      serveStatic(sub).then(answer, fail);
      request.resume();
      return true;
    }
    const refusal = refuse(request, options.token);
    if (refusal) {
      answer(refusal);
      request.resume();
      return true;
    }
    const path = sub.slice('/api'.length);
    if (path === '/tail' && request.method === 'GET') {
      streamTail(deps, response).catch(fail);
      request.resume();
      return true;
    }
    readBody(request).then(
      (body) => (body === undefined ? answer(jsonResponse(413, { error: { code: 'payload_too_large', message: `request body over ${MAX_BODY_BYTES} bytes` } })) : handleConsoleApi(deps, { method: request.method ?? 'GET', path, query: url.searchParams, body, headers: request.headers }).then(answer)),
    ).catch(fail);
    return true;
  };
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

/** Why an API call is refused, or nothing when it may go on. */
function refuse(request: IncomingMessage, token: string | undefined): HttpResponse | undefined {
  const host = (request.headers.host ?? '').replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    return jsonResponse(403, { error: { code: 'forbidden', message: `the console answers only on loopback, not Host ${JSON.stringify(request.headers.host ?? '')}` } });
  }
  if (request.headers[CONSOLE_HEADER] !== '1') {
    return jsonResponse(403, { error: { code: 'forbidden', message: `console API calls must send the header ${CONSOLE_HEADER}: 1`, details: [{ index: 0, field: CONSOLE_HEADER, message: 'required' }] } });
  }
  if (token === undefined) return undefined;
  const sent = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  if (!timingSafeEqual(digest(sent), digest(token))) {
    return jsonResponse(401, { error: { code: 'unauthorized', message: 'this bus has a token: send it as Authorization: Bearer <token>' } }, { 'WWW-Authenticate': 'Bearer' });
  }
  return undefined;
}

async function serveStatic(path: string): Promise<HttpResponse> {
  if (path === '' || path === '/') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: CONSOLE_HTML };
  if (path === '/app.js') return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' }, body: await consoleBundle() };
  if (path === '/console.css') return { status: 200, headers: { 'content-type': 'text/css; charset=utf-8' }, body: await readFile(join(__dirname, 'web', 'console.css'), 'utf8') };
  return jsonResponse(404, { error: { code: 'not_found', message: `no console file ${path}` } });
}

/** The body, or undefined past the limit. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.once('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
