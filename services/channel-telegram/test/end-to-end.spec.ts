import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import { FakeBotApi, Pipeline, uniqueName, waitFor, type AgentApi } from '@firstline/testing';
import { channelTelegramService } from '../src';

interface TicketView {
  ticket: {
    id: string;
    status: string;
    channel: string;
    conversationKey: string;
    csatScore: number | null;
  };
  messages: Array<{
    id: string;
    direction: 'in' | 'out';
    text: string;
    delivery: { status: string } | null;
  }>;
}

const tag = uniqueName('t').replace(/\W/g, '').slice(-10);
const bot = { name: `e2e-${tag}`, token: '2001:END-TO-END', mode: 'polling' };
/** A private chat's id is the user's id. */
const customer = 700_000_000 + Math.floor(Math.random() * 100_000_000);

/**
 * Issue 7's last promise, across services on the real broker and Postgres: a Telegram message
 * becomes a ticket, the agent's reply reaches the chat, and the CSAT button the customer presses
 * after the ticket is resolved is recorded on it.
 */
describe('a Telegram conversation through router and tickets', () => {
  const fake = new FakeBotApi();
  let pipeline: Pipeline;
  let supervisor: AgentApi;

  beforeAll(async () => {
    await fake.start();
    Object.assign(process.env, {
      TELEGRAM_BOTS: JSON.stringify([bot]),
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
    });
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelTelegramService,
    });
    supervisor = await pipeline.login('supervisor@firstline.example');
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await fake.stop();
  });

  const ticketOf = (id: string) => supervisor.ok<TicketView>('GET', `/tickets/${id}`);

  it('turns the message into a ticket, delivers the reply to the chat and records the CSAT press', async () => {
    fake.customerWrites(bot.token, customer, { text: `Parcel ${tag} never arrived` });

    const { id } = await waitFor(async () => {
      const queue = await supervisor.ok<{ tickets: Array<{ id: string; subject: string }> }>(
        'GET',
        '/queue?view=all&channel=telegram',
      );
      return queue.tickets.find((ticket) => ticket.subject.includes(tag));
    }, 30_000);
    const created = await ticketOf(id);
    expect(created.ticket).toMatchObject({
      channel: 'telegram',
      status: 'new',
      conversationKey: `telegram:${bot.name}:${customer}`,
    });
    expect(created.messages).toContainEqual(
      expect.objectContaining({ direction: 'in', text: `Parcel ${tag} never arrived` }),
    );

    const reply = await supervisor.ok<{ messageId: string }>('POST', `/tickets/${id}/replies`, {
      text: 'It is with the courier & arrives <today>.',
    });
    const inChat = await waitFor(() =>
      fake.bot(bot.token).sent.find((sent) => sent.text?.includes('courier')),
    );
    expect(inChat).toMatchObject({
      chat_id: String(customer),
      text: 'It is with the courier &amp; arrives &lt;today&gt;.',
    });
    await waitFor(async () => {
      const { messages } = await ticketOf(id);
      return messages.some((m) => m.id === reply.messageId && m.delivery?.status === 'sent');
    });

    await supervisor.ok('POST', `/tickets/${id}/status`, { status: 'resolved' });
    const survey = await waitFor(() =>
      fake.bot(bot.token).sent.find((sent) => sent.reply_markup?.inline_keyboard),
    );
    expect(survey.chat_id).toBe(String(customer));
    const buttons = survey.reply_markup!.inline_keyboard.flat();
    expect(buttons).toHaveLength(5);
    // The survey's buttons name the ticket they rate.
    const four = buttons.find((button) => button.callback_data === `csat:${id}:4`);
    expect(four).toBeDefined();
    const press = fake.customerPresses(bot.token, survey, four!.callback_data);

    const rated = await waitFor(async () => {
      const view = await ticketOf(id);
      return view.ticket.csatScore !== null && view;
    }, 30_000);
    expect(rated.ticket).toMatchObject({ csatScore: 4, status: 'resolved' });
    // The button stopped spinning.
    await waitFor(() => fake.bot(bot.token).answeredCallbacks.includes(press));
  }, 90_000);
});
