import { Controller, Get, NotFoundException, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AttachmentStore } from '../attachments/attachment-store';
import { RejectionFilter, requestLocale, type WebRequest } from '../http/rejection';
import { StatusService, type StatusView } from './status.service';

/** The customer's status page data, by the unguessable token in their link. */
@Controller('webform')
@UseFilters(RejectionFilter)
export class StatusController {
  constructor(
    private readonly status: StatusService,
    private readonly attachments: AttachmentStore,
  ) {}

  @Get('status/:token')
  view(@Param('token') token: string, @Req() request: WebRequest): Promise<StatusView> {
    return this.status.view(token, requestLocale(request));
  }

  /** A file a customer attached, for the agent (linked from the ticket) and the customer. */
  @Get('attachments/:digest')
  async attachment(
    @Param('digest') digest: string,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const file = /^[0-9a-f]{64}$/.test(digest) ? await this.attachments.open(digest) : undefined;
    if (!file) throw new NotFoundException('No such attachment');
    response.setHeader('content-type', file.contentType);
    response.setHeader('content-length', String(file.sizeBytes));
    // Served as a download and never sniffed, so an uploaded page cannot run on our origin.
    response.setHeader('content-disposition', 'attachment');
    response.setHeader('x-content-type-options', 'nosniff');
    // Part by part, as stored: a large file is never whole in memory.
    await pipeline(Readable.from(file.parts), response).catch(() => undefined);
  }
}
