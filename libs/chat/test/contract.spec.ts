import { runAdapterContract } from '@firstline/channel/contract-suite';
import { chatAdapter, mintVisitorToken, type ChatContext } from '../src';

const context: ChatContext = { tokenSecret: Buffer.from('a-secret-of-at-least-32-characters!!') };
const visitorId = '3f2b8c1e-7d4a-4e2f-9b6c-0a1d2e3f4a5b';
const withToken = (authorization: string) => ({
  headers: { authorization },
  rawBody: Buffer.alloc(0),
});

runAdapterContract('Live chat', chatAdapter, {
  context,
  messages: [
    { name: 'a line of text', payload: { visitorId, clientMessageId: 'm-1', text: 'Hello?' } },
    {
      name: 'a photo with a caption, from a product page, in Russian',
      payload: {
        visitorId,
        clientMessageId: '6b1c0f1e-2f0a-4b7e-8d11-5e2c3a4b5c6d',
        text: 'Вот чек',
        attachments: [
          {
            storageKey: `sha256/${'ab'.repeat(32)}`,
            fileName: 'receipt.png',
            contentType: 'image/png',
            sizeBytes: 68,
          },
        ],
        pageUrl: 'https://shop.example/p/42',
        locale: 'ru',
      },
    },
  ],
  malformed: [
    { name: 'no visitor id', payload: { clientMessageId: 'm-1', text: 'Hello?' } },
    { name: 'no client message id', payload: { visitorId, text: 'Hello?' } },
    {
      name: 'a client message id with a colon',
      payload: { visitorId, clientMessageId: 'a:b', text: 'Hello?' },
    },
    { name: 'only spaces', payload: { visitorId, clientMessageId: 'm-2', text: '   ' } },
    {
      name: 'a text longer than the widget allows',
      payload: { visitorId, clientMessageId: 'm-3', text: 'x'.repeat(4001) },
    },
    {
      name: 'a file under a key the store never gives',
      payload: {
        visitorId,
        clientMessageId: 'm-5',
        attachments: [
          {
            storageKey: '../etc/passwd',
            fileName: 'a.png',
            contentType: 'image/png',
            sizeBytes: 1,
          },
        ],
      },
    },
    {
      name: 'a file without its storage key',
      payload: {
        visitorId,
        clientMessageId: 'm-4',
        attachments: [{ fileName: 'a.png', contentType: 'image/png', sizeBytes: 1 }],
      },
    },
  ],
  signed: {
    genuine: withToken(`Bearer ${mintVisitorToken(visitorId, context.tokenSecret)}`),
    tampered: [
      {
        name: 'a token signed with another secret',
        payload: withToken(
          `Bearer ${mintVisitorToken(visitorId, Buffer.from('another-secret-of-32-characters-or-more'))}`,
        ),
      },
      {
        name: 'another visitor under a genuine signature',
        payload: withToken(
          `Bearer ${'00000000-0000-4000-8000-000000000000'}.${mintVisitorToken(visitorId, context.tokenSecret).split('.')[1]}`,
        ),
      },
      { name: 'no token', payload: withToken('') },
    ],
  },
});
