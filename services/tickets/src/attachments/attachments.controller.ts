import {
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTACHMENT_STORE, sendStoredFile, type AttachmentStore } from '@firstline/attachments';
import { receiveUpload } from '@firstline/channel-kit';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { UploadedAttachment } from '../api/responses';
import { TicketAccess } from '../api/ticket-access';
import { AttachmentRepository } from './attachment.repository';
import { attachmentPath } from './upload';

const DIGEST = /^[0-9a-f]{64}$/;

/** The files of a ticket, for the agents who may see it: opened, and uploaded for a reply. */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiErrors(401, 503)
@UseGuards(AgentGuard)
@Controller('api/v1/tickets/:id/attachments')
export class AttachmentsController {
  constructor(
    private readonly access: TicketAccess,
    private readonly files: AttachmentRepository,
    @Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore,
  ) {}

  /**
   * A file a message of the ticket carries (received or sent), or one uploaded to it: the type its
   * message declared when the bytes agree (otherwise application/octet-stream), never sniffed by
   * the browser, inline for pictures and a download for the rest.
   */
  @Get(':digest')
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(403, 404)
  async download(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') ticketId: string,
    @Param('digest') digest: string,
    @Res() response: ServerResponse,
  ): Promise<void> {
    await this.access.read(ticketId, agent);
    const named = DIGEST.test(digest) ? await this.files.fileOfTicket(ticketId, digest) : undefined;
    const stored = named && (await this.store.open(named.storageKey));
    if (!named || !stored) throw new NotFoundException('This ticket has no such attachment');
    await sendStoredFile(
      response,
      { ...stored, contentType: named.contentType || stored.contentType },
      named.fileName,
    );
  }

  /**
   * Uploads one file (multipart field `file`) for a reply to this ticket: refused at once when
   * the ticket's channel cannot carry a file of its size or its bytes are not its type.
   */
  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: UploadedAttachment })
  @ApiErrors(400, 403, 404, 413, 415, 422)
  async upload(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') ticketId: string,
    @Req() request: IncomingMessage,
  ): Promise<UploadedAttachment> {
    const ticket = await this.access.read(ticketId, agent);
    const file = await receiveUpload(request, this.store, ticket.channel);
    await this.files.recordUpload(ticket.id, agent.id, file);
    return { ...file, downloadPath: attachmentPath(ticket.id, file.storageKey) };
  }
}
