import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Update } from 'grammy/types';
import { runAdapterContract, type NamedPayload } from '@firstline/channel/contract-suite';
import { fileLinkKey, telegramAdapter } from '../src';

/** Updates of test/fixtures, each written from the Bot API documentation (https://core.telegram.org/bots/api#update). */
const named = (description: string, fixture: string): NamedPayload<Update> => ({
  name: description,
  payload: JSON.parse(
    readFileSync(join(__dirname, 'fixtures', `${fixture}.json`), 'utf8'),
  ) as Update,
});

runAdapterContract('Telegram', telegramAdapter, {
  context: {
    name: 'support',
    filesBaseUrl: 'https://support.example',
    fileLinkKey: fileLinkKey('123456:CONTRACT'),
    fileLinkTtlSeconds: 3_600,
  },
  messages: [
    {
      name: 'a text message in a private chat',
      payload: {
        update_id: 700001,
        message: {
          message_id: 101,
          date: 1767261600,
          chat: { id: 5550101, type: 'private', first_name: 'Olga' },
          from: { id: 5550101, is_bot: false, first_name: 'Olga', language_code: 'ru' },
          text: 'My parcel has not arrived',
        },
      },
    },
    named('a reply to the bot’s message', 'reply-to-message'),
    named('an edited message', 'edited-text'),
    named('a voice message', 'voice'),
    named('a venue', 'venue'),
    named('a forwarded channel post with a photo', 'forward-origin-channel'),
    named('the user’s own contact', 'contact-own'),
    named('a press of our survey’s button', 'callback-csat'),
  ],
  ignored: [
    named('a message in a group', 'group-message'),
    named('a channel post', 'channel-post'),
    named('the user blocking the bot (my_chat_member)', 'my-chat-member-blocked'),
    named('a live location moving', 'live-location-move'),
    named('a service message: write access allowed', 'write-access-allowed'),
    named('a payment', 'successful-payment'),
    named('a button of another keyboard', 'callback-foreign'),
  ],
  malformed: [
    named('a message without its chat', 'message-without-chat'),
    named('a button press without its sender', 'callback-without-from'),
    named('a contact without phone_number', 'contact-without-phone'),
    { name: 'an update without update_id', payload: { message: { text: 'hi' } } },
  ],
});
