import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import { FakeVk, sendCallback, Pipeline, waitFor, type AgentApi } from '@firstline/testing';
import { channelVkService } from '../src';

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

// Group and user ids of this run only: the topics are shared with every other run on the broker.
const GROUP = 100_000_000 + Math.floor(Math.random() * 800_000_000);
const CUSTOMER = 1_000_000 + Math.floor(Math.random() * 900_000_000);
const SECRET = 'e2e-callback-secret';
const TOKEN = 'token-e2e';

/**
 * Issue 8's last promise, across services on the real broker and Postgres: a VK message becomes a
 * ticket, the agent's reply reaches the customer once although its first send is retried (with
 * the same random_id), and the CSAT button pressed after the ticket is resolved is recorded on it.
 */
describe('a VK conversation through router and tickets', () => {
  const vk = new FakeVk();
  let pipeline: Pipeline;
  let supervisor: AgentApi;
  let callbackUrl: string;

  beforeAll(async () => {
    await vk.start();
    vk.community(GROUP, TOKEN);
    vk.users.set(CUSTOMER, { first_name: 'Oleg', last_name: 'Smirnov' });
    Object.assign(process.env, {
      VK_COMMUNITIES: JSON.stringify([
        {
          groupId: GROUP,
          token: TOKEN,
          mode: 'callback',
          confirmationCode: 'e2e0k',
          secret: SECRET,
        },
      ]),
      VK_API_URL: `${vk.url}/method`,
    });
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelVkService,
    });
    callbackUrl = `${pipeline.channel.url}/vk/${GROUP}/callback`;
    supervisor = await pipeline.login('supervisor@firstline.example');
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await vk.stop();
  });

  const ticketOf = (id: string) => supervisor.ok<TicketView>('GET', `/tickets/${id}`);

  it('turns the message into a ticket, sends the retried reply once and records the CSAT press', async () => {
    const text = `Order ${pipeline.run} came damaged`;
    const posted = await sendCallback(callbackUrl, {
      type: 'message_new',
      event_id: `e2e-${pipeline.run}-1`,
      v: '5.199',
      group_id: GROUP,
      secret: SECRET,
      object: {
        message: {
          id: 501,
          date: Math.floor(Date.now() / 1000),
          peer_id: CUSTOMER,
          from_id: CUSTOMER,
          text,
          conversation_message_id: 1,
          attachments: [],
        },
        client_info: { keyboard: true, inline_keyboard: true },
      },
    });
    expect(posted).toEqual({ status: 200, text: 'ok' });

    const { id } = await waitFor(async () => {
      const queue = await supervisor.ok<{ tickets: Array<{ id: string; subject: string }> }>(
        'GET',
        '/queue?view=all&channel=vk',
      );
      return queue.tickets.find((ticket) => ticket.subject === text);
    }, 30_000);
    const created = await ticketOf(id);
    expect(created.ticket).toMatchObject({
      channel: 'vk',
      status: 'new',
      conversationKey: `vk:${GROUP}:${CUSTOMER}`,
    });
    expect(created.customer?.displayName).toBe('Oleg Smirnov');
    expect(created.messages).toContainEqual(expect.objectContaining({ direction: 'in', text }));

    // VK delivers the first send but its answer is lost: the adapter must try again, and the
    // repeated random_id must keep VK from sending it twice.
    vk.failNextSends({ code: 10, afterDelivering: true, message: 'A replacement ships today.' });
    const reply = await supervisor.ok<{ messageId: string }>('POST', `/tickets/${id}/replies`, {
      text: 'A replacement ships today.',
    });
    await waitFor(async () => {
      const { messages } = await ticketOf(id);
      return messages.some((m) => m.id === reply.messageId && m.delivery?.status === 'sent');
    }, 30_000);
    const attempts = vk.sendAttempts.filter((a) => a.message === 'A replacement ships today.');
    expect(attempts).toHaveLength(2);
    expect(attempts[1].random_id).toBe(attempts[0].random_id);
    expect(attempts[0].peer_id).toBe(String(CUSTOMER));
    expect(
      vk.delivered.filter((m) => m.params.message === 'A replacement ships today.'),
    ).toHaveLength(1);

    await supervisor.ok('POST', `/tickets/${id}/status`, { status: 'resolved' });
    const survey = await waitFor(() =>
      vk.delivered.find((m) => m.peer_id === CUSTOMER && m.params.keyboard),
    );
    const buttons = (
      JSON.parse(survey.params.keyboard) as {
        buttons: Array<Array<{ action: { payload: string } }>>;
      }
    ).buttons.flat();
    expect(buttons).toHaveLength(5);
    const payload = buttons
      .map((button) => JSON.parse(button.action.payload) as { csat: number; ticket: string })
      .find((choice) => choice.csat === 2)!;
    expect(payload.ticket).toBe(id);

    const pressed = await sendCallback(callbackUrl, {
      type: 'message_event',
      event_id: `e2e-${pipeline.run}-2`,
      v: '5.199',
      group_id: GROUP,
      secret: SECRET,
      object: {
        user_id: CUSTOMER,
        peer_id: CUSTOMER,
        event_id: `press-${pipeline.run}`,
        payload,
        conversation_message_id: survey.id,
      },
    });
    expect(pressed).toEqual({ status: 200, text: 'ok' });
    const rated = await waitFor(async () => {
      const view = await ticketOf(id);
      return view.ticket.csatScore !== null && view;
    }, 30_000);
    expect(rated.ticket).toMatchObject({ csatScore: 2, status: 'resolved' });
    expect(vk.callsOf('messages.sendMessageEventAnswer')).toMatchObject([
      { params: { event_id: `press-${pipeline.run}` } },
    ]);
  }, 90_000);
});
