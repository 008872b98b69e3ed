import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  READ_ATTACHMENT,
  readOutboundFile,
  type ReadAttachment,
  type SentMessage,
} from '@firstline/channel-kit';
import type { Attachment } from '@firstline/contracts';
import { RetryableError } from '@firstline/errors';
import {
  messageId,
  sentMessageId,
  uploadTypeOf,
  withUploadedFiles,
  type OkPart,
  type OkSend,
  type OkUploadType,
} from '@firstline/ok';
import { OK_CONFIG, type OkConfig } from '../config';
import { OkGroups } from '../groups';
import { SCHEMA } from '../migrations';
import { OkApiClient } from '../ok-api.client';

/**
 * Makes the Graph API calls of one rendered message with its group's token: each part's files
 * uploaded, then the part posted to the chat. OK has no de-duplication key, so every part OK took
 * is recorded at once, and a retry of the message sends only the parts not recorded: a part can
 * only arrive twice when OK took it and its answer was lost.
 */
@Injectable()
export class OkSender {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(OK_CONFIG) private readonly config: OkConfig,
    private readonly groups: OkGroups,
    private readonly api: OkApiClient,
    @Inject(READ_ATTACHMENT) private readonly readAttachment: ReadAttachment,
  ) {}

  async send(send: OkSend): Promise<SentMessage> {
    const token = this.groups.tokenOf(send.groupId);
    const sent = await this.sentParts(send.parts);
    let last = '';
    for (const part of send.parts) {
      last = sent.get(part.partId) ?? (await this.sendPart(token, send.chatId, part));
    }
    // The last part is the newest in the chat, with the survey and the files: the one a
    // customer's answer most likely refers to.
    return {
      channelMessageId: last,
      sentMessageId: messageId(send.groupId, send.chatId, last),
    };
  }

  private async sendPart(token: string, chatId: string, part: OkPart): Promise<string> {
    const body =
      part.files.length > 0
        ? withUploadedFiles(part.body, await this.upload(token, part.files))
        : part.body;
    const mid = sentMessageId(await this.api.sendMessage(token, chatId, body), part);
    await this.dataSource.query(
      `INSERT INTO ${SCHEMA}.sent_part (part_id, message_id) VALUES ($1, $2)
       ON CONFLICT (part_id) DO NOTHING`,
      [part.partId, mid],
    );
    return mid;
  }

  /** The mids of the parts OK took on earlier attempts, by part id. */
  private async sentParts(parts: OkPart[]): Promise<Map<string, string>> {
    const rows: Array<{ part_id: string; message_id: string }> = await this.dataSource.query(
      `SELECT part_id, message_id FROM ${SCHEMA}.sent_part WHERE part_id = ANY($1::text[])`,
      [parts.map(({ partId }) => partId)],
    );
    return new Map(rows.map((row) => [row.part_id, row.message_id]));
  }

  /**
   * Each file through OK's three steps (graph.user.fileUploadUrl): an upload URL, the bytes
   * POSTed to it, and, after OK has had time to process them, the token in the message.
   */
  private async upload(
    token: string,
    files: Attachment[],
  ): Promise<Array<{ type: OkUploadType; token: string }>> {
    const uploaded: Array<{ type: OkUploadType; token: string }> = [];
    for (const file of files) {
      const type = uploadTypeOf(file);
      const target = await this.api.uploadTarget(token, type);
      const read = await readOutboundFile(file, this.readAttachment);
      const answer = await this.api.upload(target, type, read);
      const fileToken =
        type === 'IMAGE' ? imageToken(answer, target.file_id) : (target.token ?? undefined);
      if (!fileToken) throw new RetryableError(`OK gave no token for the ${type} upload`);
      uploaded.push({ type, token: fileToken });
    }
    await new Promise((resolve) => setTimeout(resolve, this.config.uploadProcessingMs));
    return uploaded;
  }
}

/** "In case of IMAGE file type, token … is returned as response of file upload request." */
function imageToken(answer: unknown, fileId: string | undefined): string | undefined {
  const photos = (answer as { photos?: Record<string, { token?: unknown }> } | undefined)?.photos;
  const photo = fileId ? photos?.[fileId] : Object.values(photos ?? {})[0];
  return typeof photo?.token === 'string' ? photo.token : undefined;
}
