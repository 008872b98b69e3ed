import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Channel, create, OutboundMessageSchema } from '@firstline/contracts';
import {
  okAdapter,
  okApiError,
  webhookPath,
  withUploadedFiles,
  type OkContext,
  type OkWebhook,
} from '@firstline/ok';
import { FakeOk } from '../src';

const GROUP = '57000000000001';
const TOKEN = 'tkn18YdUJZe:CQABPOJKAKEKEKEKE';
const context: OkContext = { groupId: GROUP, webhookSecret: 'w'.repeat(40) };

/** Calls the fake as the OK service will: the token in the query, JSON in and out. */
async function call(
  ok: FakeOk,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token = TOKEN,
) {
  const response = await fetch(
    `${ok.url}/graph/${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`,
    {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json;charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
  );
  const answer: unknown = await response.json();
  return {
    answer,
    error: okApiError(path, response.status, answer),
    header: response.headers.get('invocation-error'),
  };
}

describe('the fake OK Bot API', () => {
  const ok = new FakeOk();
  const received: Array<{ path: string; body: OkWebhook }> = [];
  let webhook: Server;
  let webhookUrl = '';

  beforeAll(async () => {
    await ok.start();
    ok.group(GROUP, TOKEN, 'Support');
    webhook = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const verdict = okAdapter.verify!(
          { headers: { ...request.headers, ':path': request.url }, rawBody: Buffer.concat(chunks) },
          context,
        );
        if (verdict.kind === 'accepted') {
          received.push({
            path: request.url!,
            body: JSON.parse(Buffer.concat(chunks).toString()) as OkWebhook,
          });
        }
        response.writeHead(verdict.kind === 'rejected' ? verdict.status : 200).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await ok.stop();
    await new Promise((resolve) => webhook.close(resolve));
  });

  it('names the group of a token and keeps the webhook subscriptions the group asks for', async () => {
    expect((await call(ok, 'GET', 'me/info')).answer).toEqual({
      name: 'Support',
      group_id: `group:${GROUP}`,
    });
    const url = `${webhookUrl}${webhookPath(context.webhookSecret)}`;
    expect((await call(ok, 'POST', 'me/subscribe', { url: `${webhookUrl}/old` })).answer).toEqual({
      success: true,
    });
    expect((await call(ok, 'POST', 'me/subscribe', { url })).answer).toEqual({ success: true });
    expect((await call(ok, 'POST', 'me/unsubscribe', { url: `${webhookUrl}/old` })).answer).toEqual(
      { success: true },
    );
    const { answer } = await call(ok, 'GET', 'me/subscriptions');
    expect(answer).toEqual({ subscriptions: [{ url, time: expect.any(Number) }] });
  });

  it('refuses a token it does not know, with the error in OK’s format and header', async () => {
    const { error, header } = await call(ok, 'GET', 'me/info', undefined, 'stolen');
    expect(error).toMatchObject({ code: 102 });
    expect(header).toBe('102');
    expect(okAdapter.classifyError(error)).toMatchObject({
      kind: 'permanent',
      recipientUnreachable: false,
    });
  });

  it('delivers what a customer writes to the webhook, which the adapter reads as their message', async () => {
    const { statuses } = await ok.customerWrites(
      GROUP,
      { userId: '123456789012', name: 'John Smith' },
      { text: 'Где мой заказ?' },
    );
    expect(statuses).toEqual([200]);
    const normalised = await okAdapter.normalise(received.at(-1)!.body, context, new Date());
    expect(normalised).toMatchObject({
      kind: 'message',
      message: {
        channel: Channel.OK,
        textBody: 'Где мой заказ?',
        sender: { value: '123456789012', displayName: 'John Smith' },
      },
    });
  });

  it('sends a rendered reply with its survey keyboard and answers with the new message id', async () => {
    await ok.customerWrites(GROUP, { userId: '777' }, { text: 'Спасибо' });
    const inbound = await okAdapter.normalise(received.at(-1)!.body, context, new Date());
    if (inbound.kind !== 'message') throw new Error(inbound.reason);
    const send = okAdapter.render(
      create(OutboundMessageSchema, {
        outboundId: 'out_7',
        ticketId: 'tkt_7',
        conversationKey: inbound.message.conversationKey,
        textBody: 'Оцените, пожалуйста, поддержку',
        csatSurvey: true,
      }),
      context,
    );
    const { answer, error } = await call(
      ok,
      'POST',
      `me/messages/${send.chatId}`,
      send.parts[0].body,
    );
    expect(error).toBeUndefined();
    expect(answer).toEqual({ success: true, message_id: expect.stringMatching(/^mid:/) });
    expect(ok.delivered.at(-1)).toMatchObject({
      chatId: send.chatId,
      text: 'Оцените, пожалуйста, поддержку',
      attachments: [expect.objectContaining({ type: 'INLINE_KEYBOARD' })],
    });

    const { statuses } = await ok.customerPresses(GROUP, { userId: '777' }, 'csat:5:tkt_7');
    expect(statuses).toEqual([200]);
    const pressed = await okAdapter.normalise(received.at(-1)!.body, context, new Date());
    expect(pressed).toMatchObject({
      kind: 'message',
      message: { csatAnswer: { ticketId: 'tkt_7', score: 5 } },
    });
  });

  it('uploads a file and sends it by the token the upload URL came with', async () => {
    await ok.customerWrites(GROUP, { userId: '888' }, { text: 'Пришлите счёт' });
    const chatId = (received.at(-1)!.body.recipient as { chat_id: string }).chat_id;
    const { answer } = await call(ok, 'GET', 'me/fileUploadUrl?type=FILE');
    const { url, token } = answer as { url: string; token: string };
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: 'PDF',
    });
    expect(ok.uploads.at(-1)).toMatchObject({
      type: 'FILE',
      token,
      contentType: 'application/pdf',
    });
    const body = withUploadedFiles({ recipient: { chat_id: chatId }, message: { text: 'Счёт' } }, [
      { type: 'FILE', token },
    ]);
    expect((await call(ok, 'POST', `me/messages/${chatId}`, body)).error).toBeUndefined();
    expect(ok.delivered.at(-1)!.attachments).toEqual([{ type: 'FILE', payload: { token } }]);
  });

  it('answers failures a reply may meet, each meaning what the adapter says it means', async () => {
    await ok.customerWrites(GROUP, { userId: '999' }, { text: 'Алло' });
    const chatId = (received.at(-1)!.body.recipient as { chat_id: string }).chat_id;
    const reply = { recipient: { chat_id: chatId }, message: { text: 'Ответ' } };
    ok.failNextSends({ code: 8, message: 'FLOOD_BLOCKED : flood' }, { httpStatus: 503 });
    const flood = await call(ok, 'POST', `me/messages/${chatId}`, reply);
    expect(okAdapter.classifyError(flood.error)).toMatchObject({ kind: 'retryable' });
    const outage = await fetch(
      `${ok.url}/graph/me/messages/${chatId}?access_token=${encodeURIComponent(TOKEN)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(reply),
      },
    );
    expect(
      okAdapter.classifyError(okApiError('messages', outage.status, await outage.text())),
    ).toMatchObject({ kind: 'retryable' });
    ok.closeChat(chatId);
    const closed = await call(ok, 'POST', `me/messages/${chatId}`, reply);
    expect(okAdapter.classifyError(closed.error)).toMatchObject({
      kind: 'permanent',
      recipientUnreachable: true,
    });
    const unknown = await call(ok, 'POST', 'me/messages/chat:Cnobody', {
      recipient: { chat_id: 'chat:Cnobody' },
      message: { text: 'x' },
    });
    expect(unknown.error).toMatchObject({ code: 300 });
  });

  it('refuses a webhook at a path without the group’s secret, which OK would retry', async () => {
    const response = await fetch(`${webhookUrl}/ok/webhook/guess`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(403);
  });
});
