import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Where the console is served; the API it talks to is the same origin's `/api/v1`. */
export const CONSOLE_PATH = '/console';

/**
 * The built browser files: next to this module once built (dist/services/agent-console/src →
 * ../public), or the workspace's dist when this module runs from source (tests, ts-node).
 */
export function consoleFilesDirectory(): string {
  const candidates = [
    join(__dirname, '../public'),
    join(__dirname, '../../../dist/services/agent-console/public'),
  ];
  return candidates.find(isBuilt) ?? candidates[0];
}

const isBuilt = (directory: string) => existsSync(join(directory, 'index.html'));

/**
 * What the console's page may load and who may frame it. Its scripts and styles are its own
 * files, so nothing inline runs even if a customer's text ever slipped into the page unescaped;
 * the API and the live WebSocket are the same origin ('self' covers ws: and wss: there).
 * Images may come from elsewhere (links in customers' HTML mail); attachment previews are blobs
 * the console fetched from the API with the agent's token. No page may frame it (clickjacking): frame-ancestors,
 * and X-Frame-Options for browsers that predate it.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https: http:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface HeaderSink {
  setHeader(name: string, value: string): void;
}

function secure(response: HeaderSink): void {
  response.setHeader('content-security-policy', CONSOLE_CONTENT_SECURITY_POLICY);
  response.setHeader('x-frame-options', 'DENY');
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'same-origin');
}

interface HttpInstance {
  get(
    path: string,
    handler: (request: { path: string }, response: PlainResponse, next: () => void) => void,
  ): void;
}

interface PlainResponse extends HeaderSink {
  redirect(status: number, url: string): void;
  status(code: number): PlainResponse;
  type(type: string): PlainResponse;
  send(body: string): void;
}

/**
 * Serves the agent console at /console/ (and sends `/` there) from the tickets service's HTTP
 * server. Files are revalidated on every load: an upgrade reaches agents on their next reload.
 * Without the built files (a checkout before `npm run build`) the service still starts, and the
 * console's address says what to do.
 */
export function serveAgentConsole(
  app: INestApplication,
  directory = consoleFilesDirectory(),
): void {
  const http = app.getHttpAdapter().getInstance() as HttpInstance;
  // Express routes ignore a trailing slash: only the bare paths are sent on.
  http.get('/', (request, response, next) =>
    request.path === '/' ? response.redirect(302, `${CONSOLE_PATH}/`) : next(),
  );
  http.get(CONSOLE_PATH, (request, response, next) =>
    request.path === CONSOLE_PATH ? response.redirect(301, `${CONSOLE_PATH}/`) : next(),
  );
  if (!isBuilt(directory)) {
    const problem = `The agent console is not built: run \`npm run build\` (no ${directory}/index.html)`;
    new Logger('AgentConsole').warn(problem);
    http.get(`${CONSOLE_PATH}/`, (_request, response) => {
      secure(response);
      response.status(503).type('text/plain').send(problem);
    });
    return;
  }
  // The services run on Nest's Express platform (libs/runtime).
  (app as NestExpressApplication).useStaticAssets(directory, {
    prefix: `${CONSOLE_PATH}/`,
    index: 'index.html',
    setHeaders: (response) => {
      response.setHeader('cache-control', 'no-cache');
      secure(response);
    },
  });
}
