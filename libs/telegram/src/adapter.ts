import type { ChannelAdapter } from '@firstline/channel';
import { Channel } from '@firstline/contracts';
import type { Update } from 'grammy/types';
import { classifyError } from './errors';
import { normalise, type BotContext } from './normalise';
import { render, type RenderedMessage } from './render';

/**
 * The Telegram channel as the contract every adapter fills in. Webhook requests are verified by
 * their secret header before the body is read (verifyWebhookSecret), so there is no `verify` over
 * a signed body; the bot a message goes out through is named in its conversation key, so `render`
 * needs no context.
 */
export const telegramAdapter: ChannelAdapter<Update, BotContext, RenderedMessage> = {
  channel: Channel.TELEGRAM,
  normalise,
  render: (message) => render(message),
  classifyError,
};
