import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import { FakeOk, Pipeline, waitFor, type AgentApi } from '@firstline/testing';
import { conversationKey } from '@firstline/ok';
import { channelOkService } from '../src';

interface TicketView {
  ticket: {
    id: string;
    status: string;
    channel: string;
    conversationKey: string;
    csatScore: number | null;
  };
  customer: { displayName: string } | null;
  messages: Array<{
    id: string;
    direction: 'in' | 'out';
    text: string;
    delivery: { status: string } | null;
  }>;
}

interface SurveyKeyboard {
  type: string;
  payload: { buttons: Array<Array<{ type: string; text: string; payload: string }>> };
}

// Group and user ids of this run only: the topics are shared with every other run on the broker.
const GROUP = String(57_000_000_000_000 + Math.floor(Math.random() * 900_000_000_000));
const CUSTOMER = { userId: String(500_000_000 + Math.floor(Math.random() * 400_000_000)) };
const TOKEN = 'tkn-end-to-end';
const SECRET = 'e2e-ok-webhook-secret';

/**
 * Issue 16's promise for OK, across services on the real broker and Postgres, as for Telegram and
 * VK: a message written to the group becomes a ticket, the agent's reply reaches the chat and its
 * receipt the ticket, and the survey button pressed after the ticket is resolved is recorded on it.
 */
describe('an OK conversation through router and tickets', () => {
  const ok = new FakeOk();
  let pipeline: Pipeline;
  let supervisor: AgentApi;

  beforeAll(async () => {
    await ok.start();
    ok.group(GROUP, TOKEN);
    Object.assign(process.env, {
      OK_GROUPS: JSON.stringify([{ token: TOKEN, secret: SECRET }]),
      OK_API_URL: ok.url,
    });
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelOkService,
      channelSettings: (url) => ({ OK_PUBLIC_URL: url }),
    });
    supervisor = await pipeline.login('supervisor@firstline.example');
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await ok.stop();
    delete process.env.OK_GROUPS;
    delete process.env.OK_API_URL;
  });

  const ticketOf = (id: string) => supervisor.ok<TicketView>('GET', `/tickets/${id}`);

  it('turns the message into a ticket, delivers the reply to the chat and records the CSAT press', async () => {
    const text = `Order ${pipeline.run} came without its charger`;
    const written = await ok.customerWrites(
      GROUP,
      { ...CUSTOMER, name: 'Svetlana Orlova' },
      { text },
    );
    expect(written.statuses).toEqual([200]);
    const chatId = (written.body.recipient as { chat_id: string }).chat_id;

    const { id } = await waitFor(async () => {
      const queue = await supervisor.ok<{ tickets: Array<{ id: string; subject: string }> }>(
        'GET',
        '/queue?view=all&channel=ok',
      );
      return queue.tickets.find((ticket) => ticket.subject === text);
    }, 30_000);
    const created = await ticketOf(id);
    expect(created.ticket).toMatchObject({
      channel: 'ok',
      status: 'new',
      conversationKey: conversationKey(GROUP, chatId),
    });
    expect(created.customer?.displayName).toBe('Svetlana Orlova');
    expect(created.messages).toContainEqual(expect.objectContaining({ direction: 'in', text }));

    const reply = await supervisor.ok<{ messageId: string }>('POST', `/tickets/${id}/replies`, {
      text: 'A charger is on its way to you.',
    });
    const inChat = await waitFor(() =>
      ok.delivered.find((m) => m.text === 'A charger is on its way to you.'),
    );
    expect(inChat).toMatchObject({ groupId: GROUP, chatId });
    await waitFor(async () => {
      const { messages } = await ticketOf(id);
      return messages.some((m) => m.id === reply.messageId && m.delivery?.status === 'sent');
    }, 30_000);

    await supervisor.ok('POST', `/tickets/${id}/status`, { status: 'resolved' });
    const survey = await waitFor(() =>
      ok.delivered.find(
        (m) =>
          m.chatId === chatId &&
          m.attachments.some((a) => (a as SurveyKeyboard).type === 'INLINE_KEYBOARD'),
      ),
    );
    const keyboard = survey.attachments.find(
      (a) => (a as SurveyKeyboard).type === 'INLINE_KEYBOARD',
    ) as SurveyKeyboard;
    const buttons = keyboard.payload.buttons.flat();
    expect(buttons).toHaveLength(5);
    // The survey's buttons name the ticket they rate.
    const four = buttons.find((button) => button.payload === `csat:4:${id}`);
    expect(four).toMatchObject({ type: 'CALLBACK' });

    const pressed = await ok.customerPresses(GROUP, CUSTOMER, four!.payload);
    expect(pressed.statuses).toEqual([200]);
    const rated = await waitFor(async () => {
      const view = await ticketOf(id);
      return view.ticket.csatScore !== null && view;
    }, 30_000);
    expect(rated.ticket).toMatchObject({ csatScore: 4, status: 'resolved' });
    // The press is answered, as OK expects of a CALLBACK button.
    await waitFor(() =>
      ok.callbackAnswers.some((answer) => answer.callbackId === pressed.body.callbackId),
    );
  }, 90_000);
});
