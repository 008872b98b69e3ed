import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBFORM_CONFIG, type WebformConfig } from '../config';

/**
 * The base of links stored for others to follow: attachments in tickets, status links in emails.
 * WEBFORM_PUBLIC_URL, or else the address this service really listens on (its port may be any,
 * e.g. the embedded base plus an offset, or 0) — never a request's Host, which whoever sends the
 * request chooses.
 */
@Injectable()
export class StoredLinks {
  constructor(
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async base(): Promise<string> {
    if (this.config.publicUrl) return this.config.publicUrl;
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    // Consumers start just before the server listens; a record handled then waits for the port.
    if (!server.listening) await once(server, 'listening');
    return listeningUrl(server.address() as AddressInfo);
  }
}

/** How a local client reaches a listening address: the wildcard addresses mean this machine. */
export function listeningUrl(address: Pick<AddressInfo, 'address' | 'port'>): string {
  const host =
    address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
