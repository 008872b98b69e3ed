import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAdapterContract } from '@firstline/channel/contract-suite';
import { okAdapter, webhookPath, type OkContext, type OkWebhook } from '../src';

const context: OkContext = { groupId: '57000000000001', webhookSecret: 'Zq3vT9kLm2Np8RwX-okGroup' };
const fixture = (name: string): OkWebhook =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as OkWebhook;
const webhookAt = (path: string) => ({
  headers: { ':path': path, 'content-type': 'application/json;charset=utf-8' },
  rawBody: Buffer.from(JSON.stringify(fixture('text-message'))),
});

runAdapterContract('OK', okAdapter, {
  context,
  messages: [
    { name: 'the documentation’s text example', payload: fixture('text-message') },
    { name: 'a typed MESSAGE_CREATED', payload: fixture('typed-text-message') },
    { name: 'a shared link', payload: fixture('share-message') },
    { name: 'images, files and a location', payload: fixture('media-message') },
    { name: 'a survey button pressed', payload: fixture('csat-callback') },
  ],
  ignored: [
    { name: 'a chat system event', payload: fixture('chat-system') },
    {
      name: 'another button pressed',
      payload: { ...fixture('csat-callback'), payload: 'open-catalogue' },
    },
  ],
  malformed: [
    {
      name: 'a message without its chat',
      payload: { ...fixture('text-message'), recipient: {} },
    },
    {
      name: 'a message without a mid',
      payload: { ...fixture('text-message'), message: { text: 'hello' } },
    },
    {
      name: 'a message with neither text nor attachments',
      payload: { ...fixture('text-message'), message: { mid: 'mid:C3ecb9d02a600.1' } },
    },
  ],
  signed: {
    genuine: webhookAt(webhookPath(context.webhookSecret)),
    tampered: [
      {
        name: 'another secret in the path',
        payload: webhookAt(webhookPath('Zq3vT9kLm2Np8RwX-guessed')),
      },
      { name: 'no secret in the path', payload: webhookAt('/ok/webhook/') },
      { name: 'not a webhook path', payload: webhookAt('/ok/other') },
    ],
  },
});
