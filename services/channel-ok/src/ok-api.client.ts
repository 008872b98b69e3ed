import { Inject, Injectable } from '@nestjs/common';
import type { AttachmentFile } from '@firstline/channel-kit';
import {
  IMAGE_UPLOAD_FIELD,
  okApiError,
  type OkSendBody,
  type OkSendResult,
  type OkUploadType,
} from '@firstline/ok';
import { OK_CONFIG, type OkConfig } from './config';

/** A Graph API call that hangs is given up and retried rather than holding a partition. */
const CALL_TIMEOUT_MS = 30_000;
/** An upload of a large file may take longer than a call, but not for ever. */
const UPLOAD_TIMEOUT_MS = 120_000;

/** Where to POST a file's bytes, and the token to attach it by (an IMAGE's comes from the upload). */
export interface UploadTarget {
  url: string;
  token?: string;
  file_id?: string;
}

/**
 * The Graph API calls the service makes with a group's access token, over fetch, as the pages in
 * libs/ok/src/ok-api.ts describe them. Every failure is thrown as what `okApiError` reads from the
 * answer, so that `okAdapter.classifyError` can decide what it means.
 */
@Injectable()
export class OkApiClient {
  private readonly root: string;

  constructor(@Inject(OK_CONFIG) config: OkConfig) {
    this.root = config.apiUrl;
  }

  /** GET /graph/me/info: the group the token belongs to, as "group:<id>". */
  info(token: string): Promise<{ group_id: string; name?: string }> {
    return this.call(token, 'GET', 'me/info');
  }

  subscriptions(token: string): Promise<{ subscriptions?: Array<{ url: string }> }> {
    return this.call(token, 'GET', 'me/subscriptions');
  }

  subscribe(token: string, url: string): Promise<unknown> {
    return this.call(token, 'POST', 'me/subscribe', {}, { url });
  }

  sendMessage(token: string, chatId: string, body: OkSendBody): Promise<OkSendResult> {
    return this.call(token, 'POST', `me/messages/${chatId}`, {}, body);
  }

  uploadTarget(token: string, type: OkUploadType): Promise<UploadTarget> {
    return this.call(token, 'GET', 'me/fileUploadUrl', { type });
  }

  /**
   * POSTs a file to the URL `uploadTarget` gave. An IMAGE goes as OK's photo upload documents it,
   * multipart/form-data with the file in `pic1`, and its answer carries the token under
   * `photos.<file_id>.token`; other files go as the request body with their real MIME type
   * ("the request body containing your file"), named in Content-Disposition so that the customer
   * sees the file's name.
   */
  async upload(target: UploadTarget, type: OkUploadType, file: AttachmentFile): Promise<unknown> {
    let request: RequestInit;
    if (type === 'IMAGE') {
      const form = new FormData();
      const blob = new Blob([file.bytes], { type: file.contentType });
      form.set(IMAGE_UPLOAD_FIELD, blob, file.fileName);
      request = { body: form };
    } else {
      request = {
        headers: {
          'content-type': file.contentType,
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        },
        body: file.bytes,
      };
    }
    const response = await fetch(target.url, {
      ...request,
      method: 'POST',
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
    return this.answerOf('upload', response);
  }

  /** POST /graph/{chat_id}/answer: the reply to a pressed CALLBACK button, a message in the chat. */
  answerButtonPress(token: string, chatId: string, callbackId: string, text: string) {
    return this.call(token, 'POST', `${chatId}/answer`, { callbackId }, { message: { text } });
  }

  private async call<T>(
    token: string,
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string> = {},
    body?: unknown,
  ): Promise<T> {
    const url = new URL(`${this.root}/graph/${path}`);
    for (const [name, value] of Object.entries({ ...query, access_token: token })) {
      url.searchParams.set(name, value);
    }
    const response = await fetch(url, {
      method,
      // "POST requests must be made with Content-Type: application/json;charset=utf-8".
      headers: body === undefined ? {} : { 'content-type': 'application/json;charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    // The method names the call in errors; the URL would carry the token.
    return (await this.answerOf(`${method} /graph/${path}`, response)) as T;
  }

  private async answerOf(method: string, response: Response): Promise<unknown> {
    const text = await response.text();
    let answer: unknown;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      answer = undefined;
    }
    const error = okApiError(method, response.status, answer);
    if (error) throw error;
    return answer;
  }
}
