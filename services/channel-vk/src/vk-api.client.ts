import { Inject, Injectable } from '@nestjs/common';
import type { AttachmentFile } from '@firstline/channel-kit';
import { PermanentError } from '@firstline/errors';
import {
  attachmentReference,
  VkApiError,
  type MessagesSendParams,
  type PhotoUploadAnswer,
  type SavedMedia,
  type UploadServer,
  type VkEnvelope,
  type VkEvent,
} from '@firstline/vk';
import { VK_CONFIG, type VkConfig } from './config';

/** What groups.getLongPollServer answers. */
export interface LongPollServer {
  server: string;
  key: string;
  ts: string;
}

/** What a Bots Long Poll request answers: events, or `failed` with what to do next. */
export type LongPollAnswer =
  | { ts: string; updates: VkEvent[]; failed?: undefined }
  | { failed: 1; ts: string }
  | { failed: 2 | 3; ts?: string };

/** A call VK has not answered by then is treated as failed (and retried): it never hangs a consumer. */
const CALL_TIMEOUT_MS = 15_000;
/** An upload of up to 200 MB may take longer than a call, but not for ever. */
const UPLOAD_TIMEOUT_MS = 120_000;

/** The VK API over Node's fetch; every call carries the community's token and the pinned version. */
@Injectable()
export class VkApiClient {
  constructor(@Inject(VK_CONFIG) private readonly config: VkConfig) {}

  async call<T>(
    method: string,
    token: string,
    params: Record<string, string | number>,
  ): Promise<T> {
    const body = new URLSearchParams({ access_token: token, v: this.config.api.version });
    for (const [name, value] of Object.entries(params)) body.set(name, String(value));
    const response = await fetch(`${this.config.api.url}/${method}`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`VK ${method} answered HTTP ${response.status}`);
    const envelope = (await response.json()) as VkEnvelope<T>;
    if (envelope.error) {
      throw new VkApiError(method, envelope.error.error_code, envelope.error.error_msg);
    }
    return envelope.response;
  }

  /** The id of the sent message; a repeated random_id returns the first send's id, not a new message. */
  sendMessage(token: string, params: MessagesSendParams): Promise<number> {
    return this.call<number>('messages.send', token, { ...params });
  }

  async userNames(token: string, userIds: number[]): Promise<Map<number, string>> {
    const users = await this.call<Array<{ id: number; first_name: string; last_name: string }>>(
      'users.get',
      token,
      { user_ids: userIds.join(',') },
    );
    return new Map(users.map((user) => [user.id, `${user.first_name} ${user.last_name}`.trim()]));
  }

  /** Stops the spinner on the button the customer pressed and shows a short note. */
  async answerButtonPress(
    token: string,
    press: { event_id: string; user_id: number; peer_id: number },
    note: string,
  ): Promise<void> {
    await this.call('messages.sendMessageEventAnswer', token, {
      ...press,
      event_data: JSON.stringify({ type: 'show_snackbar', text: note }),
    });
  }

  longPollServer(token: string, groupId: number): Promise<LongPollServer> {
    return this.call<LongPollServer>('groups.getLongPollServer', token, { group_id: groupId });
  }

  async checkLongPoll(
    server: LongPollServer,
    ts: string,
    waitSeconds: number,
    signal: AbortSignal,
  ): Promise<LongPollAnswer> {
    const url = new URL(server.server);
    url.search = new URLSearchParams({
      act: 'a_check',
      key: server.key,
      ts,
      wait: String(waitSeconds),
    }).toString();
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`VK long poll answered HTTP ${response.status}`);
    return (await response.json()) as LongPollAnswer;
  }

  /**
   * A photo as a message attachment, through VK's documented flow
   * (https://dev.vk.com/en/api/upload/photo-in-message): photos.getMessagesUploadServer for the
   * peer, the bytes POSTed as multipart field `photo`, photos.saveMessagesPhoto with the server,
   * photo and hash the upload answered. Returns the `photo<owner>_<id>` reference.
   */
  async uploadPhoto(token: string, peerId: number, file: AttachmentFile): Promise<string> {
    const { upload_url } = await this.call<UploadServer>('photos.getMessagesUploadServer', token, {
      peer_id: peerId,
    });
    const answer = await this.postFile<PhotoUploadAnswer>(upload_url, 'photo', file);
    // The upload server answers `photo: "[]"` when it took no photo (a file that is no image).
    if (!answer.photo || answer.photo === '[]' || answer.server === undefined || !answer.hash) {
      throw new PermanentError(
        `VK took no photo from "${file.fileName}"${answer.error ? `: ${answer.error}` : ''}`,
      );
    }
    const [saved] = await this.call<SavedMedia[]>('photos.saveMessagesPhoto', token, {
      photo: answer.photo,
      server: answer.server,
      hash: answer.hash,
    });
    return attachmentReference('photo', saved);
  }

  /**
   * A file as a message attachment, through VK's documented flow
   * (https://dev.vk.com/en/api/upload/document-in-profile): docs.getMessagesUploadServer (type
   * doc, the peer), the bytes POSTed as multipart field `file`, docs.save. Returns the
   * `doc<owner>_<id>` reference.
   */
  async uploadDocument(token: string, peerId: number, file: AttachmentFile): Promise<string> {
    const { upload_url } = await this.call<UploadServer>('docs.getMessagesUploadServer', token, {
      type: 'doc',
      peer_id: peerId,
    });
    const answer = await this.postFile<{ file?: string; error?: string }>(upload_url, 'file', file);
    if (!answer.file) {
      throw new PermanentError(
        `VK took no document from "${file.fileName}"${answer.error ? `: ${answer.error}` : ''}`,
      );
    }
    const saved = await this.call<{ type: string; doc: SavedMedia }>('docs.save', token, {
      file: answer.file,
      title: file.fileName,
    });
    return attachmentReference('doc', saved.doc);
  }

  /** The bytes as multipart/form-data under `field`, to an upload server VK named. */
  private async postFile<T>(url: string, field: string, file: AttachmentFile): Promise<T> {
    const form = new FormData();
    form.set(field, new Blob([file.bytes], { type: file.contentType }), file.fileName);
    const response = await fetch(url, {
      method: 'POST',
      body: form,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`VK upload server answered HTTP ${response.status}`);
    return (await response.json()) as T;
  }
}
