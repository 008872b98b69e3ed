import { decode, OutboundMessageSchema, TOPICS } from '@firstline/contracts';
import { decision, TicketsUnderTest, waitFor } from './support';

describe('a reply and a crash between the database commit and the publish', () => {
  let crashed: TicketsUnderTest | undefined;
  let restarted: TicketsUnderTest | undefined;

  afterAll(async () => {
    await crashed?.stop(true);
    await restarted?.stop();
  });

  it('reaches the customer exactly once, published by the restarted service', async () => {
    // The first process commits the reply but can never publish: its broker is gone.
    crashed = await TicketsUnderTest.start({ unpublishable: true });
    const routed = decision();
    await crashed.publishDecisions([routed]);
    const ann = await crashed.login('ann@firstline.example');
    await waitFor(
      async () =>
        (await ann.call('GET', `/tickets/${routed.ticketId}`)).status === 200 || undefined,
    );
    const reply = await ann.call<{ messageId: string }>(
      'POST',
      `/tickets/${routed.ticketId}/replies`,
      {
        text: 'We have refunded you',
      },
    );
    expect(reply.status).toBe(201);
    const [pending] = await crashed.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM tickets.outbox
       WHERE published_at IS NULL AND headers->>'messageId' = $1`,
      [reply.body.messageId],
    );
    expect(pending.count).toBe(1);

    // It dies; a new process starts on the same database.
    const dead = crashed;
    await dead.stop(true);
    crashed = undefined;
    restarted = await TicketsUnderTest.start({
      restartOf: dead,
      watch: [TOPICS.outboundEmail.name],
    });
    const outbound = restarted.published;

    const ours = () =>
      outbound
        .map((record) => decode(OutboundMessageSchema, record.value))
        .filter((message) => message.outboundId === reply.body.messageId);
    await waitFor(() => (ours().length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatchObject({
      ticketId: routed.ticketId,
      textBody: 'We have refunded you',
    });
  }, 60_000);
});
