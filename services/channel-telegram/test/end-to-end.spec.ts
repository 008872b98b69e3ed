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
 * becomes a ticket, the agent's reply reaches the chat, the customer's Telegram reply to it joins
 * the ticket, and the CSAT button the customer presses after the ticket is resolved is recorded
 * on it.
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

  it('turns the message into a ticket, delivers the reply to the chat, threads the answer to it and records the CSAT press', async () => {
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

    // The SENT receipt told the router which message in the chat is the agent's answer, so a
    // customer's Telegram "reply" to it names this ticket.
    const answerInChat = `telegram:${bot.name}:${customer}:${inChat.message_id}`;
    const routerDb = pipeline.databases.router.pool(1);
    await waitFor(async () => {
      const known = await routerDb.query<{ ticket_id: string }>(
        `SELECT ticket_id FROM routing.thread_message WHERE message_id = $1`,
        [answerInChat],
      );
      return known.rows[0]?.ticket_id === id;
    });
    fake.customerWrites(bot.token, customer, {
      text: 'Thanks, I will be home',
      reply_to_message: {
        message_id: inChat.message_id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: customer, type: 'private' },
        from: { id: 2001, is_bot: true, first_name: 'Support' },
        text: 'It is with the courier & arrives <today>.',
      },
    });
    const answered = await waitFor(async () => {
      const view = await ticketOf(id);
      return view.messages.some((m) => m.direction === 'in' && m.text.includes('I will be home'))
        ? view
        : undefined;
    }, 30_000);
    expect(answered.messages.find((m) => m.text.includes('I will be home'))?.text).toBe(
      'In reply to Support:\n> It is with the courier & arrives <today>.\n\nThanks, I will be home',
    );

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
