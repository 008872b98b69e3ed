import { randomUUID } from 'node:crypto';
import type { AgentApi } from '@firstline/testing';
import { decision, TicketsUnderTest, waitFor } from './support';

interface TicketView {
  messages: Array<{ direction: string; text: string }>;
}

describe("agents' replies when requests repeat or the database cannot serve", () => {
  let tickets: TicketsUnderTest;
  let ann: AgentApi;

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start();
    ann = await tickets.login('ann@firstline.example');
  }, 120_000);

  afterAll(async () => {
    await tickets?.stop();
  });

  /** A new ticket of ann's team, stored. */
  async function newTicket(): Promise<string> {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await waitFor(
      async () => (await ann.call('GET', `/tickets/${routed.ticketId}`)).status === 200,
    );
    return routed.ticketId;
  }

  async function postReply(ticketId: string, text: string, idempotencyKey?: string) {
    const response = await fetch(`${tickets.service.url}/api/v1/tickets/${ticketId}/replies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ann.token}`,
        'content-type': 'application/json',
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify({ text }),
    });
    return {
      status: response.status,
      replayed: response.headers.get('idempotent-replayed'),
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as { messageId?: string; status?: string; message?: unknown },
    };
  }

  async function repliesOn(ticketId: string): Promise<string[]> {
    const view = await ann.ok<TicketView>('GET', `/tickets/${ticketId}`);
    return view.messages.filter((message) => message.direction === 'out').map((m) => m.text);
  }

  it('a reply repeated with its Idempotency-Key is sent once and answered as the first time', async () => {
    const ticketId = await newTicket();
    const key = randomUUID();

    const first = await postReply(ticketId, 'Your refund is on its way', key);
    const repeat = await postReply(ticketId, 'Your refund is on its way', key);

    expect(first).toMatchObject({ status: 201, replayed: null });
    expect(repeat).toMatchObject({ status: 201, replayed: 'true', body: first.body });
    expect(await repliesOn(ticketId)).toEqual(['Your refund is on its way']);
  });

  it('a double click (the same key twice at once) sends one reply', async () => {
    const ticketId = await newTicket();
    const key = randomUUID();

    const answers = await Promise.all([
      postReply(ticketId, 'On it', key),
      postReply(ticketId, 'On it', key),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    expect(answers[0].body).toEqual(answers[1].body);
    expect(await repliesOn(ticketId)).toEqual(['On it']);
  });

  it('a reply made while another change holds the ticket keeps that change', async () => {
    const ticketId = await newTicket();
    await postReply(ticketId, 'Hello');
    // Another change (a supervisor setting the ticket pending) holds the ticket, not yet committed.
    const other = await tickets.database.pool(1).connect();
    const watcher = tickets.database.pool(1);
    await other.query('BEGIN');
    await other.query(`UPDATE tickets.ticket SET status = 'pending' WHERE id = $1`, [ticketId]);
    try {
      const answered = postReply(ticketId, 'Still on it');
      // The reply waits for the other change.
      await waitFor(async () => {
        const { rows } = await watcher.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].waiting > 0;
      });
      await other.query('COMMIT');

      expect((await answered).status).toBe(201);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      other.release();
    }
    // A reply keeps a pending ticket pending; writing the ticket as it was before would reopen it.
    const view = await ann.ok<{ ticket: { status: string } }>('GET', `/tickets/${ticketId}`);
    expect(view.ticket.status).toBe('pending');
    expect(await repliesOn(ticketId)).toEqual(['Hello', 'Still on it']);
  });

  it('a key used again for another text is refused with 422 and sends nothing', async () => {
    const ticketId = await newTicket();
    const key = randomUUID();
    await postReply(ticketId, 'First answer', key);

    const reused = await postReply(ticketId, 'Something else', key);

    expect(reused.status).toBe(422);
    expect(await repliesOn(ticketId)).toEqual(['First answer']);
  });

  it('replies without a key are each sent, as before; a malformed key is refused', async () => {
    const ticketId = await newTicket();
    await postReply(ticketId, 'Hello');
    await postReply(ticketId, 'Hello');
    expect(await repliesOn(ticketId)).toEqual(['Hello', 'Hello']);
    expect((await postReply(ticketId, 'Hi', 'a key with spaces')).status).toBe(400);
  });

  it('with every pooled connection stuck, a request gets 503 with Retry-After, not 500', async () => {
    const ticketId = await newTicket();
    // A migration-like lock on the tickets table: every request reading it holds its connection.
    const blocker = tickets.database.pool(1);
    const client = await blocker.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE tickets.ticket IN ACCESS EXCLUSIVE MODE');
    try {
      // The service's pool has four connections; these requests take them all and wait.
      const stuck = Array.from({ length: 4 }, () => ann.call('GET', `/tickets/${ticketId}`));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const turnedAway = await postReply(ticketId, 'Are you there?');

      expect(turnedAway.status).toBe(503);
      expect(Number(turnedAway.retryAfter)).toBeGreaterThan(0);
      await client.query('COMMIT');
      expect((await Promise.all(stuck)).map((answer) => answer.status)).toEqual([
        200, 200, 200, 200,
      ]);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    expect(await repliesOn(ticketId)).toEqual([]);
  }, 60_000);
});
