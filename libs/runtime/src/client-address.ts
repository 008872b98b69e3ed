import type { INestApplication } from '@nestjs/common';

/**
 * Makes a request's address (`request.ip`, Nest's `@Ip()`) the client's rather than a proxy's:
 * with `hops` trusted proxies in front of the service, it is the address the outermost of them
 * saw, taken from X-Forwarded-For counting from the right, so an address a client writes into
 * the header itself is never believed. With 0 (no proxy) the header is ignored. Per-address
 * limits (sign-ins, web-form submissions, new chat visitors) count what this gives.
 */
export function trustProxyHops(app: INestApplication, hops: number): void {
  const express = app.getHttpAdapter().getInstance() as {
    set(setting: string, value: unknown): void;
  };
  express.set('trust proxy', hops > 0 ? hops : false);
}
