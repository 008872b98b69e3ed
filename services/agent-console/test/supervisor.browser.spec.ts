import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import type { Browser } from 'playwright-core';
import { KafkaBus, silentLogger } from '@firstline/bus';
import { channelWebformService } from '@firstline/channel-webform';
import {
  directoryKey,
  DirectoryKind,
  DirectoryRecordSchema,
  encode,
  messageType,
  TOPICS,
} from '@firstline/contracts';
import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import {
  ensureKafka,
  Pipeline,
  PIPELINE_RUN_HEADER,
  waitFor,
  type AgentApi,
} from '@firstline/testing';
import { buildConsole, launchChromium, refusedByPolicy, screenshot, signIn } from './browser';

interface QueueTicket {
  id: string;
  subject: string;
  assigneeId: string | null;
  priority: string;
  customerId: string;
}

/**
 * Issue 18's supervisor controls and callback tasks in real Chromium, across router, tickets and
 * the web form on the real broker: a customer writes once through the contact form and once asks
 * for a call back under another address; the supervisor gives the first ticket to Ann (the
 * router decides), makes it urgent and merges the two customers after previewing the merge; Ann
 * completes the callback from its card.
 */
describe('a supervisor assigns, prioritises and merges; an agent completes a callback', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let sam: AgentApi;
  const phone = '+79123456789';

  beforeAll(async () => {
    buildConsole();
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelWebformService,
      channelSettings: (url) => ({ WEBFORM_PUBLIC_URL: url }),
    });
    browser = await launchChromium();
    sam = await pipeline.login('supervisor@firstline.example');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  /**
   * A pipeline keeps the demo directory off the shared topic (other suites' routers read it), so
   * its router knows no agents. Ann's entry, as tickets holds it, goes to this run's router alone:
   * on the directory topic with the run's header, which every other run's services pass over.
   */
  const tellRouterOfAnn = async () => {
    const admin = await pipeline.login('admin@firstline.example');
    const agents = await admin.ok<Array<JsonValue & { id: string }>>('GET', '/directory/agent');
    const entry = fromJson(
      DirectoryRecordSchema,
      agents.find((agent) => agent.id === 'ann')!,
    );
    const bus = new KafkaBus({
      brokers: await ensureKafka(),
      clientId: `${pipeline.run}-directory`,
      logger: silentLogger,
    });
    try {
      await bus.publish([
        {
          topic: TOPICS.directory.name,
          key: directoryKey(DirectoryKind.AGENT, 'ann'),
          value: encode(DirectoryRecordSchema, entry),
          headers: {
            messageId: `${directoryKey(DirectoryKind.AGENT, 'ann')}@${entry.version}`,
            type: messageType(DirectoryRecordSchema),
          },
          extraHeaders: { [PIPELINE_RUN_HEADER]: pipeline.run },
        },
      ]);
    } finally {
      await bus.stop();
    }
    await waitFor(async () => {
      const { rows } = await pipeline.databases.router
        .pool()
        .query(`SELECT 1 FROM routing.agent WHERE id = 'ann'`);
      return rows.length === 1;
    }, 30_000);
  };

  const submit = async (form: string, key: string, fields: Record<string, string>) => {
    const response = await fetch(`${pipeline.channel.url}/webform/forms/${form}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(fields),
    });
    expect(response.status).toBe(201);
  };

  const queued = (find: (ticket: QueueTicket) => boolean) =>
    waitFor(async () => {
      const { tickets } = await sam.ok<{ tickets: QueueTicket[] }>('GET', '/queue?view=all');
      return tickets.find(find);
    }, 30_000);

  it('does it all from the console', async () => {
    await tellRouterOfAnn();
    const name = `Rita ${pipeline.run.slice(-6)}`;
    await submit('contact', `${pipeline.run}-contact`, {
      name,
      email: `rita-${pipeline.run}@example.com`,
      topic: 'question',
      message: 'My parcel has not arrived yet.',
    });
    const windowStart = new Date(Date.now() + 3600_000);
    const windowEnd = new Date(Date.now() + 3 * 3600_000);
    await submit('callback', `${pipeline.run}-callback`, {
      name,
      phone: '+7 (912) 345-67-89',
      callback_from: windowStart.toISOString(),
      callback_to: windowEnd.toISOString(),
    });
    const contact = await queued((ticket) => ticket.subject.includes('Contact'));
    const callback = await queued((ticket) => ticket.subject.includes(phone));
    expect(contact.customerId).not.toBe(callback.customerId);

    const desk = await signIn(
      browser,
      `${pipeline.tickets.url}/console/`,
      'supervisor@firstline.example',
    );
    const openTicket = async (id: string) => {
      await desk.evaluate(`location.hash = '#/ticket/${id}'`);
      await desk.locator(`#view[data-ready="true"] h1`).waitFor();
    };
    await openTicket(contact.id);
    const header = desk.locator('.ticket-header');
    const said = (text: string) =>
      desk.locator('.supervise .feedback', { hasText: text }).waitFor({ timeout: 10_000 });

    // Assign to a named agent: the choice shows each agent's presence and load in the channel.
    const assignee = desk.getByLabel('Agent', { exact: true });
    await assignee
      .locator('option[value="ann"]', { hasText: 'Ann First · Offline · 0/5' })
      .waitFor({
        state: 'attached',
      });
    await assignee.selectOption('ann');
    await desk.getByRole('button', { name: 'Assign', exact: true }).click();
    await said('Assigned to Ann First.');
    await header.getByText('Assignee: Ann First').waitFor();

    // Priority: the router's fact, changed through it.
    await desk.getByLabel('Priority', { exact: true }).selectOption('urgent');
    await desk.getByRole('button', { name: 'Set priority' }).click();
    await header.locator('.priority-urgent', { hasText: 'Urgent' }).waitFor({ timeout: 10_000 });

    // Merge: find the duplicate by phone, preview, confirm.
    await desk.getByLabel('Name, email or phone').fill(phone);
    await desk.getByRole('button', { name: 'Find' }).click();
    await desk.getByRole('button', { name: 'Preview merge' }).click();
    const preview = desk.getByRole('region', { name: 'Merge preview' });
    await preview.getByText('After the merge').waitFor();
    await preview
      .locator('.merge-side', { hasText: 'After the merge' })
      .getByText(`Addresses: rita-${pipeline.run}@example.com, ${phone}`)
      .waitFor();
    await preview.getByText('Tickets: 2').waitFor();
    await screenshot(desk, 'supervisor-merge-preview');
    await desk.getByRole('button', { name: `Merge ${name} into ${name}` }).click();
    await said('Customers merged.');
    await desk.getByText(`Web form phone: ${phone}`).waitFor({ timeout: 10_000 });
    await screenshot(desk, 'supervisor-ticket');

    // The router and tickets agree: Ann has it, urgent; one customer with both tickets.
    const after = await sam.ok<{
      ticket: QueueTicket;
      history: Array<{ id: string }>;
    }>('GET', `/tickets/${contact.id}`);
    expect(after.ticket).toMatchObject({ assigneeId: 'ann', priority: 'urgent' });
    expect(after.history.map((past) => past.id)).toContain(callback.id);
    const routed = await pipeline.databases.router
      .pool()
      .query<{ assigned_agent_id: string; priority: number }>(
        `SELECT assigned_agent_id, priority FROM routing.ticket WHERE id = $1`,
        [contact.id],
      );
    expect(routed.rows[0]).toEqual({ assigned_agent_id: 'ann', priority: 4 });

    // The agents' workload shows Ann's new ticket against her capacity.
    await desk.evaluate(`location.hash = '#/agents'`);
    await desk
      .locator('#view[data-ready="true"] tr[data-agent="ann"]', { hasText: 'Web form 1/5' })
      .waitFor();

    // Ann works the callback from its card: tap-to-call, the window, then "Called".
    const ann = await signIn(browser, `${pipeline.tickets.url}/console/`, 'ann@firstline.example');
    await ann.getByRole('link', { name: 'Callbacks' }).click();
    const listed = ann.locator(`.callback-card[data-callback]`, { hasText: `#` });
    await listed.first().waitFor({ timeout: 10_000 });
    await ann.getByRole('link', { name: new RegExp(`#\\d+ ${name}`) }).click();
    const card = ann.locator('#view[data-ready="true"] .callback-card');
    await card.waitFor();
    expect(await card.getByRole('link', { name: `Call ${phone}` }).getAttribute('href')).toBe(
      `tel:${phone}`,
    );
    await card.getByText(/^Window: .+ \(Europe\/Berlin\)$/).waitFor();
    await card.getByText(/^Due /).waitFor();
    await screenshot(ann, 'callback-card');
    await card.getByRole('button', { name: 'Called' }).click();
    await ann
      .locator('.callback-card.done', { hasText: 'Done: reached by phone' })
      .filter({ hasText: 'on time' })
      .waitFor({ timeout: 10_000 });
    await ann.locator('.timeline', { hasText: 'Callback recorded' }).waitFor();

    const [done] = await sam.ok<Array<{ attempts: number; onTime: boolean; doneBy: string }>>(
      'GET',
      `/tickets/${callback.id}/callbacks`,
    );
    expect(done).toMatchObject({ attempts: 1, onTime: true, doneBy: 'ann' });
    expect(refusedByPolicy(desk)).toEqual([]);
    expect(refusedByPolicy(ann)).toEqual([]);
  }, 180_000);
});
