import {
  applyDecorators,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { LOCALES } from '@firstline/webform';
import { ATTACHMENT_STORE, sendStoredFile, type AttachmentStore } from '@firstline/attachments';
import { RejectionFilter, requestLocale, type WebRequest } from '../http/rejection';
import { ApiCustomerHeaders } from '../http/openapi';
import { StatusView } from '../http/responses';
import { StatusService } from './status.service';

/** A file, as a download. */
const ApiFile = () =>
  applyDecorators(
    ApiProduces('application/octet-stream'),
    ApiOkResponse({
      description: 'The file, as a download, with its stored type and `nosniff`',
      schema: { type: 'string', format: 'binary' },
    }),
    ApiErrors(404),
  );

const DIGEST = /^[0-9a-f]{64}$/;

/** The customer's status page data, by the unguessable token in their link. */
@ApiTags('status')
@Controller('webform')
@UseFilters(RejectionFilter)
export class StatusController {
  constructor(
    private readonly status: StatusService,
    @Inject(ATTACHMENT_STORE) private readonly attachments: AttachmentStore,
  ) {}

  @Get('status/:token')
  @ApiQuery({ name: 'locale', required: false, enum: LOCALES, enumName: 'Locale' })
  @ApiCustomerHeaders({ post: false })
  @ApiOkResponse({ type: StatusView })
  @ApiErrors(404)
  view(@Param('token') token: string, @Req() request: WebRequest): Promise<StatusView> {
    return this.status.view(token, requestLocale(request));
  }

  /** A file of the conversation — sent by the customer or with a reply — for its customer. */
  @Get('status/:token/attachments/:digest')
  @ApiFile()
  async conversationFile(
    @Param('token') token: string,
    @Param('digest') digest: string,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const named = DIGEST.test(digest) ? await this.status.fileOf(token, digest) : undefined;
    const file = named && (await this.attachments.open(named.storageKey));
    if (!named || !file) throw new NotFoundException('No such attachment');
    await sendStoredFile(response, file, named.fileName);
  }

  /**
   * A file a customer attached to a form, by the digest in the link stored with it (older tickets
   * and the customer's email copy point here). Only files a submission used: the store is shared
   * with every channel, whose files are not this route's to hand out.
   */
  @Get('attachments/:digest')
  @ApiFile()
  async submittedFile(
    @Param('digest') digest: string,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const storageKey = DIGEST.test(digest) ? await this.status.submittedFile(digest) : undefined;
    const file = storageKey && (await this.attachments.open(storageKey));
    if (!file) throw new NotFoundException('No such attachment');
    await sendStoredFile(response, file, 'attachment');
  }
}
