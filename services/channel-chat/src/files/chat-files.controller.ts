import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTACHMENT_STORE, sendStoredFile, type AttachmentStore } from '@firstline/attachments';
import { receiveUpload } from '@firstline/channel-kit';
import { Channel } from '@firstline/contracts';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { DIGEST } from '../inbound/chat-inbound';
import { ConversationStore, type ChatEntryFile } from '../visitors/conversation.store';
import { VisitorAuth } from '../visitors/visitor-auth';

/**
 * Files of a conversation, both ways, for its visitor only (`Authorization: Bearer <token>`): the
 * widget uploads a file, then sends a message naming its digest; it downloads what either side
 * sent. The bytes live in the attachment store (docs/adr/0022), which the tickets service reads
 * too, so the agent opens the visitor's file through the ticket.
 */
@Controller('chat/files')
export class ChatFilesController {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
    private readonly auth: VisitorAuth,
    private readonly store: ConversationStore,
  ) {}

  /**
   * One file (multipart field `file`), streamed into the store: 413 past live chat's size
   * (libs/channel), 415 for a type not in CHAT_ATTACHMENT_TYPES or bytes that are not their type.
   */
  @Post()
  @HttpCode(201)
  async upload(
    @Headers('authorization') authorization: string | undefined,
    @Req() request: IncomingMessage,
  ): Promise<ChatEntryFile> {
    const visitorId = await this.auth.required(authorization);
    const file = await receiveUpload(request, this.files, Channel.CHAT, {
      allowedTypes: this.config.attachmentTypes,
    });
    await this.store.recordUpload(visitorId, file);
    const { storageKey, ...shown } = file;
    return { digest: storageKey.slice(storageKey.lastIndexOf('/') + 1), ...shown };
  }

  /**
   * A file the visitor uploaded or a message of their conversation carries, served as the
   * tickets service serves files to agents (sendStoredFile: the type its bytes prove, nosniff,
   * Content-Disposition); 404 for any other, whoever's it is.
   */
  @Get(':digest')
  async download(
    @Headers('authorization') authorization: string | undefined,
    @Param('digest') digest: string,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const visitorId = await this.auth.required(authorization);
    const named = DIGEST.test(digest) ? await this.store.fileOf(visitorId, digest) : undefined;
    const stored = named && (await this.files.open(named.storageKey));
    if (!named || !stored) throw new NotFoundException('This chat has no such file');
    await sendStoredFile(
      response,
      { ...stored, contentType: named.contentType || stored.contentType },
      named.fileName,
    );
  }
}
