import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAdapterContract, type NamedPayload } from '../../channel/test/contract-suite';
import { vkAdapter, type VkContext, type VkEvent } from '../src';

/**
 * The VK adapter against the contract every channel adapter keeps, with the project's own
 * Callback API events (test/fixtures, written from the VK API documentation for version 5.199).
 */
const GROUP = 218000001;
const SECRET = 'fixture-secret-0001';

const fixture = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', file), 'utf8')) as VkEvent;
const named = (name: string, file: string): NamedPayload<VkEvent> => ({
  name,
  payload: fixture(file),
});
const callback = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

const text = fixture('message-new-text.json');
const { message } = text.object as { message: Record<string, unknown> };

runAdapterContract('VK', vkAdapter, {
  context: {
    groupId: GROUP,
    callback: { confirmationCode: 'c0ffee12', secret: SECRET },
    userNames: new Map([
      [7001, 'Anna Petrova'],
      [7002, 'Ivan Sidorov'],
    ]),
  } satisfies VkContext,
  messages: [
    named('a text message', 'message-new-text.json'),
    named('a document', 'message-new-doc.json'),
    named('a voice message with its transcript', 'message-new-voice-transcript.json'),
    named('a sticker', 'message-new-sticker.json'),
    named('a reply to the community’s message', 'message-new-reply.json'),
    named('forwarded messages that forward more', 'message-new-forward-nested.json'),
    named('the customer editing their message', 'message-edit-customer.json'),
    named('a press of the CSAT survey’s button', 'message-event-csat.json'),
  ],
  ignored: [
    named('the confirmation request', 'confirmation.json'),
    named('the community’s own reply', 'message-reply.json'),
    named('an edit of the community’s own message', 'message-edit-own.json'),
    named('a message in a group chat', 'message-new-group-chat.json'),
    named('a service action in a group chat', 'message-new-chat-action.json'),
    named('the customer allowing messages', 'message-allow.json'),
    named('a press of a button that is not the survey’s', 'message-event-other-button.json'),
  ],
  malformed: [
    named('message_new without its message', 'message-new-without-message.json'),
    { name: 'an event without a type', payload: { group_id: GROUP, event_id: 'no-type' } },
    {
      name: 'a message without conversation_message_id',
      payload: { ...text, object: { message: { ...message, conversation_message_id: undefined } } },
    },
    { name: 'an event of another community', payload: { ...text, group_id: GROUP + 1 } },
  ],
  signed: {
    genuine: callback(text),
    tampered: [
      { name: 'a wrong secret', payload: callback({ ...text, secret: 'guessed-secret-0000' }) },
      { name: 'no secret', payload: callback({ ...text, secret: undefined }) },
      { name: 'another community’s event', payload: callback({ ...text, group_id: GROUP + 1 }) },
      { name: 'a body that is not JSON', payload: callback('type=message_new') },
    ],
  },
});
