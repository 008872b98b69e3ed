import type { Browser, Locator, Page } from 'playwright-core';
import { channelWebformService } from '@firstline/channel-webform';
import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import { Pipeline, uniqueName, waitFor, type AgentApi } from '@firstline/testing';
import { buildConsole, launchChromium, refusedByPolicy, screenshot, signIn } from './browser';

/** A 1×1 PNG: what a customer's photo of a receipt looks like to the form's type check. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const tag = uniqueName('console').replace(/\W/g, '').slice(-10);

/**
 * Issue 9's promise in real Chromium, across services on the real broker: a web-form submission
 * reaches an agent's queue live; she answers with a canned reply, adds a note the customer never
 * sees and transfers to billing; a billing agent finds it with the whole history; the supervisor's
 * dashboard follows the change.
 */
describe('the agent console in a browser', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let consoleUrl: string;
  let admin: AgentApi;

  beforeAll(async () => {
    buildConsole();
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelWebformService,
      // Attachment links in tickets point where agents reach the web form.
      channelSettings: (url) => ({ WEBFORM_PUBLIC_URL: url }),
    });
    consoleUrl = `${pipeline.tickets.url}/console/`;
    browser = await launchChromium();
    admin = await pipeline.login('admin@firstline.example');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  const row = (page: Page) => page.locator('table.queue tbody tr', { hasText: 'Contact support' });
  const entry = (page: Page, text: string) => page.locator('.timeline .entry', { hasText: text });
  const focused = (locator: Locator) =>
    locator.evaluate((element) => {
      const node = element as unknown as { ownerDocument: { activeElement: unknown } };
      return node.ownerDocument.activeElement === node;
    });

  it('carries a web-form ticket from the queue through a reply, a note and a transfer', async () => {
    const ann = await signIn(browser, consoleUrl, 'ann@firstline.example');
    await ann.getByLabel('Presence').selectOption('online');
    await waitFor(async () => {
      const agents = await admin.ok<Array<{ id: string; agent: { presence: string } }>>(
        'GET',
        '/directory/agent',
      );
      return agents.find((record) => record.id === 'ann')?.agent.presence === 'PRESENCE_ONLINE';
    }, 10_000);
    await ann.keyboard.press('2'); // the team's unassigned tickets
    await ann.getByRole('tab', { name: 'Team', selected: true }).waitFor();
    await ann.getByText('Nothing waiting here.').waitFor();

    const supervisor = await signIn(browser, consoleUrl, 'supervisor@firstline.example');
    await supervisor.getByRole('link', { name: 'Dashboard' }).click();

    // The customer writes through the web form, with a photo; the ticket appears without a reload.
    const form = new FormData();
    const fields = {
      name: 'Bob Customer',
      email: `bob-${tag}@example.com`,
      topic: 'billing',
      message: `Order ${tag}: the amount looks odd`,
    };
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('attachments', new Blob([PIXEL], { type: 'image/png' }), 'receipt.png');
    const submitted = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'idempotency-key': tag },
      body: form,
    });
    expect(submitted.status).toBe(201);
    const { statusApiUrl } = (await submitted.json()) as { statusApiUrl: string };
    await row(ann).waitFor({ timeout: 30_000 });
    expect(await row(ann).locator('.sla').getAttribute('data-zone')).toBe('green');
    expect(await row(ann).textContent()).toContain('Web form');
    await screenshot(ann, '1-ann-queue-live');

    // Keyboard: the first row has focus, Enter opens it.
    await row(ann).focus();
    await ann.keyboard.press('Enter');
    await ann.getByRole('heading', { name: 'Conversation' }).waitFor();
    await entry(ann, `Order ${tag}: the amount looks odd`).waitFor();
    expect(await ann.locator('.customer-card').textContent()).toContain(`bob-${tag}@example.com`);
    // Bob typed his address into the form and nobody has confirmed it: the card says so, visibly.
    const unverified = ann.locator('.customer-card .unverified-customer .unverified');
    await unverified.waitFor({ state: 'visible' });
    expect(await unverified.textContent()).toBe('Unverified');
    // The photo is previewed in the conversation, and loads.
    const preview = ann.getByRole('img', { name: 'receipt.png' });
    await preview.waitFor();
    await waitFor(
      () =>
        preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth === 1),
      10_000,
    );

    // A canned reply, filled in for this customer and agent.
    await ann.getByLabel('Canned reply').selectOption({ label: 'Greeting' });
    expect(await ann.getByLabel('Reply', { exact: true }).inputValue()).toBe(
      'Hi Bob,\n\nthanks for writing to us.\n\nAnn',
    );
    await ann.getByRole('button', { name: 'Send reply' }).click();
    await ann.locator('.entry.outbound', { hasText: 'thanks for writing to us' }).waitFor();

    const noteText = `Internal ${tag}: customer was charged twice`;
    await ann.getByLabel('Note', { exact: true }).fill(noteText);
    await ann.getByRole('button', { name: 'Add note' }).click();
    const note = ann.locator('.entry.note', { hasText: noteText });
    await note.waitFor();
    expect(await note.textContent()).toContain('Internal note');
    await screenshot(ann, '2-ann-ticket-reply-and-note');

    // The supervisor's dashboard shows the ticket in first line's backlog, then in billing's.
    const backlog = (team: string) =>
      supervisor.locator(`[data-metric="backlog"] [data-group="${team}"]`);
    await backlog('first-line').filter({ hasText: /^1$/ }).waitFor();

    await ann.getByLabel('To', { exact: true }).selectOption('billing');
    await ann.getByLabel('Note for whoever takes it').fill('Double charge, please refund one');
    await ann.getByRole('button', { name: 'Transfer' }).click();
    await ann.getByRole('heading', { name: 'Queue' }).waitFor();

    await backlog('billing').filter({ hasText: /^1$/ }).waitFor();
    await backlog('first-line').waitFor({ state: 'detached' });
    await screenshot(supervisor, '3-supervisor-dashboard');

    // The billing agent finds it in his team's queue with the whole history.
    const bill = await signIn(browser, consoleUrl, 'bill@firstline.example');
    await bill.getByRole('tab', { name: 'Team' }).click();
    await row(bill).click();
    await entry(bill, `Order ${tag}: the amount looks odd`).waitFor();
    await entry(bill, 'thanks for writing to us').waitFor();
    await bill.locator('.entry.note', { hasText: noteText }).waitFor();
    await bill.locator('.entry.note', { hasText: 'Double charge, please refund one' }).waitFor();
    await entry(bill, 'Transferred from First line to Billing').waitFor();
    await screenshot(bill, '4-bill-ticket-history');
    // Queue, ticket, attachment preview, dashboard and live updates all ran under the console's
    // Content-Security-Policy without one refusal.
    for (const page of [ann, supervisor, bill]) expect(refusedByPolicy(page)).toEqual([]);

    // The customer's status page has the reply and never the notes.
    const status = await waitFor(async () => {
      const answer = (await (await fetch(statusApiUrl)).json()) as {
        messages: Array<{ text: string }>;
      };
      return answer.messages.some((m) => m.text.includes('thanks for writing')) && answer;
    }, 30_000);
    const customerSees = JSON.stringify(status);
    expect(customerSees).not.toContain(noteText);
    expect(customerSees).not.toContain('Double charge');
  }, 180_000);

  it('lets an admin add a canned reply (a broken one is refused with its reason) and an account', async () => {
    const page = await signIn(browser, consoleUrl, 'admin@firstline.example');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'Canned replies' }).click();
    await page.getByRole('link', { name: 'greeting' }).waitFor();
    await page.getByLabel('Id').fill(`apology-${tag}`);
    await page.getByLabel('Entry (JSON, as in directory.proto)').fill(
      JSON.stringify({
        title: `Apology ${tag}`,
        body: 'Sorry for the trouble, {{customer.firstName}}.',
        language: 'en',
      }),
    );
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved apology-${tag}, version 1.`).waitFor();
    await page.getByRole('link', { name: `apology-${tag}` }).waitFor();
    await screenshot(page, '5-admin-canned-replies');

    const replies = await admin.ok<Array<{ id: string; cannedReply: { title: string } }>>(
      'GET',
      '/directory/canned_reply',
    );
    expect(replies).toContainEqual(
      expect.objectContaining({
        id: `apology-${tag}`,
        cannedReply: expect.objectContaining({ title: `Apology ${tag}` }),
      }),
    );

    // A broken entry is refused with the API's reason, and nothing is saved.
    await page.getByRole('link', { name: `apology-${tag}` }).click();
    await page.locator('#admin-id[readonly]').waitFor(); // the entry is loaded into the form
    await page.getByLabel('Entry (JSON, as in directory.proto)').fill('{"title": 5}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.feedback.error', { hasText: 'Not a valid CannedReply' }).waitFor();

    // A sign-in account for a new billing agent.
    await page.getByRole('link', { name: 'Sign-in accounts' }).click();
    await page.getByLabel('Agent id').fill(`nina-${tag}`);
    await page.getByLabel('Name', { exact: true }).fill('Nina Newcomer');
    await page.getByLabel('Email', { exact: true }).fill(`nina-${tag}@firstline.example`);
    await page.getByLabel('Initial password (10 characters or more)').fill('a-long-password');
    await page.getByRole('checkbox', { name: 'Billing' }).check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Account of Nina Newcomer created.').waitFor();
    await page.locator('table.accounts tr', { hasText: `nina-${tag}@firstline.example` }).waitFor();
    const nina = await pipeline.login(`nina-${tag}@firstline.example`, 'a-long-password');
    expect(await nina.ok('GET', '/me')).toMatchObject({ role: 'agent', teamIds: ['billing'] });
  }, 60_000);

  it('speaks Russian to an agent who chooses it', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(consoleUrl);
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { name: 'Вход в Firstline' }).waitFor();
    await page.getByLabel('Электронная почта').fill('tess@firstline.example');
    await page.getByLabel('Пароль').fill('firstline-demo');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('heading', { name: 'Очередь' }).waitFor();
    await page.getByRole('tab', { name: 'Мои' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    await screenshot(page, '6-russian-queue');
  }, 60_000);

  it('lets a supervisor set the customer’s tier and tags, which an agent then sees read-only', async () => {
    const email = `carol-${tag}@example.com`;
    const form = new FormData();
    form.append('name', 'Carol Customer');
    form.append('email', email);
    form.append('topic', 'billing');
    form.append('message', `Order ${tag}: we would like an invoice`);
    const submitted = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'idempotency-key': `profile-${tag}` },
      body: form,
    });
    expect(submitted.status).toBe(201);
    const { ticketId, customerId } = await waitFor(
      async () => {
        const { tickets } = await admin.ok<{ tickets: Array<{ id: string }> }>(
          'GET',
          '/queue?view=all',
        );
        for (const ticket of tickets) {
          const view = await admin.ok<{
            customer: { id: string; identities: Array<{ value: string }> } | null;
          }>('GET', `/tickets/${ticket.id}`);
          if (view.customer?.identities.some((identity) => identity.value === email))
            return { ticketId: ticket.id, customerId: view.customer.id };
        }
        return undefined;
      },
      30_000,
      `Carol's ticket`,
    );

    const supervisor = await signIn(browser, consoleUrl, 'supervisor@firstline.example');
    await supervisor.goto(`${consoleUrl}#/ticket/${ticketId}`);
    const card = supervisor.locator('.customer-card');
    await card.getByText(email).waitFor();
    const edit = card.getByRole('button', { name: 'Edit' });
    const tier = supervisor.getByLabel('Tier');

    // Cancel forgets what was typed and gives the focus back to Edit.
    await edit.click();
    expect(await focused(tier)).toBe(true);
    await tier.fill('gold');
    await card.getByRole('button', { name: 'Cancel' }).click();
    expect(await focused(edit)).toBe(true);
    expect(await tier.isVisible()).toBe(false);
    await edit.click();
    expect(await tier.inputValue()).toBe('');
    await tier.fill('vip');
    const tags = supervisor.getByLabel('Tags (comma-separated)');

    // A malformed tag is refused with the API's reason; what was typed stays to be corrected.
    await tags.fill('enterprise, churn risk!');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByRole('alert').filter({ hasText: /tag/i }).waitFor();
    expect(await tags.inputValue()).toBe('enterprise, churn risk!');
    expect(await tier.inputValue()).toBe('vip');

    await tags.fill('enterprise, churn-risk');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Saved.').waitFor();
    expect(await card.textContent()).toContain('Tier: vip');
    expect(await card.locator('.tag').allTextContents()).toEqual(
      expect.arrayContaining(['enterprise', 'churn-risk']),
    );
    expect(await focused(edit)).toBe(true);
    await screenshot(supervisor, '7-supervisor-customer-profile');
    expect(await admin.ok('GET', `/customers/${customerId}`)).toMatchObject({
      tier: 'vip',
      tags: ['enterprise', 'churn-risk'],
    });

    // An agent of the ticket's team sees the same profile, without the means to change it.
    const ann = await signIn(browser, consoleUrl, 'ann@firstline.example');
    await ann.goto(`${consoleUrl}#/ticket/${ticketId}`);
    const annCard = ann.locator('.customer-card');
    await annCard.getByText(email).waitFor();
    expect(await annCard.textContent()).toContain('Tier: vip');
    expect(await annCard.locator('.tag').allTextContents()).toEqual(
      expect.arrayContaining(['enterprise', 'churn-risk']),
    );
    expect(await annCard.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await annCard.getByRole('textbox').count()).toBe(0);
  }, 90_000);

  it('lets an admin set business hours and an SLA target in forms, refusing an unknown time zone', async () => {
    const page = await signIn(browser, consoleUrl, 'admin@firstline.example');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'Calendars' }).click();
    await page.getByRole('link', { name: 'office' }).waitFor();

    // A night desk: Monday 22:00 to Tuesday 06:00, closed on Christmas Eve.
    await page.getByLabel('Id', { exact: true }).fill(`night-${tag}`);
    await page.getByLabel('Name', { exact: true }).fill('Night desk');
    await page.getByLabel('Time zone').fill('Europe/Berlinn');
    await page.getByRole('button', { name: 'Add a stretch' }).click();
    expect(await focused(page.getByLabel('Weekday, stretch 1'))).toBe(true);
    await page.getByLabel('Weekday, stretch 1').selectOption({ label: 'Monday' });
    await page.getByLabel('Opens, stretch 1').fill('22:00');
    await page.getByLabel('Closes, stretch 1').fill('06:00');
    await page.getByText('runs past midnight', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add a holiday' }).click();
    await page.getByLabel('Date, holiday 1').fill('2026-12-24');

    // A time zone the router could not use is refused in the form; what was typed stays.
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: '“Europe/Berlinn” is not a time zone' })
      .waitFor();
    expect(await page.getByLabel('Date, holiday 1').inputValue()).toBe('2026-12-24');

    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved night-${tag}, version 1.`).waitFor();
    await screenshot(page, '8-admin-calendar-form');

    const calendars = await admin.ok<Array<{ id: string; calendar: Record<string, unknown> }>>(
      'GET',
      '/directory/calendar',
    );
    expect(calendars.find((record) => record.id === `night-${tag}`)?.calendar).toMatchObject({
      name: 'Night desk',
      timeZone: 'Europe/Berlin',
      weeklyHours: [{ weekday: 'WEEKDAY_MONDAY', openMinute: 1320, closeMinute: 1800 }],
      holidays: [{ date: '2026-12-24' }],
    });

    // Email answered within two business hours, whatever the team and priority.
    await page.getByRole('link', { name: 'SLA policies' }).click();
    await page.getByRole('link', { name: 'messenger-telegram' }).waitFor();
    await page.getByLabel('Id', { exact: true }).fill(`email-${tag}`);
    await page.getByLabel('Name', { exact: true }).fill('Email within two hours');
    await page.getByLabel('Channel').selectOption({ label: 'Email' });
    await page.getByLabel('First response within').fill('2');
    await page.getByLabel('Unit of first response').selectOption({ label: 'hours' });
    await page.getByLabel('Count only the team’s business hours').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved email-${tag}, version 1.`).waitFor();

    const policies = await admin.ok<Array<{ id: string; slaPolicy: Record<string, unknown> }>>(
      'GET',
      '/directory/sla_policy',
    );
    const policy = policies.find((record) => record.id === `email-${tag}`)?.slaPolicy;
    expect(policy).toMatchObject({
      name: 'Email within two hours',
      channel: 'CHANNEL_EMAIL',
      firstResponseMinutes: 120,
      businessTime: true,
    });
    // "Any" team and priority are the values the router's lookup lets match every ticket.
    expect(policy).not.toHaveProperty('teamId');
    expect(policy).not.toHaveProperty('priority');

    // The JSON editor is still there for what the form does not cover.
    await page.getByRole('button', { name: 'Advanced: JSON' }).click();
    expect(
      JSON.parse(await page.getByLabel('Entry (JSON, as in directory.proto)').inputValue()),
    ).toMatchObject({ firstResponseMinutes: 120, channel: 'CHANNEL_EMAIL' });
  }, 60_000);

  it('shows a long queue a page at a time, and a live update does not shrink it', async () => {
    // Two pages of open tickets, written with SQL as the benchmark does (numbered far above the
    // router's, whose copies these stand for). Due in a month, so the web-form tickets sort
    // before them; in whole milliseconds, as the API's cursor carries them.
    const database = pipeline.databases.tickets.pool(1);
    const customerId = `bulk-${tag}`;
    await database.query(
      `INSERT INTO tickets.customer (id, display_name) VALUES ($1, 'Bulk Customer')`,
      [customerId],
    );
    await database.query(
      `INSERT INTO tickets.ticket (id, number, customer_id, conversation_key, channel, recipient,
         subject, status, priority, team_id, due_at, yellow_at, first_response_due_at, created_at)
       SELECT gen_random_uuid()::text, 900000 + n, $1, 'bulk:' || $1 || ':' || n, 1,
         '{"kind":1,"value":"bulk@example.com","displayName":""}', 'Bulk question ' || n, 'open',
         2, (ARRAY['first-line', 'billing'])[1 + n % 2], due, due - interval '1 day', due, now()
       FROM (SELECT n, date_trunc('milliseconds', now()) + interval '30 days'
               + n * interval '1 minute' AS due
             FROM generate_series(1, 250) AS n) AS bulk`,
      [customerId],
    );
    const { rows: counted } = await database.query<{ open: number }>(
      `SELECT count(*)::int AS open FROM tickets.ticket WHERE status IN ('new', 'open', 'pending')`,
    );
    const total = counted[0].open;

    const supervisor = await signIn(browser, consoleUrl, 'supervisor@firstline.example');
    await supervisor.getByRole('tab', { name: 'All' }).click();
    const rows = supervisor.locator('table.queue tbody tr');
    const status = supervisor.locator('.queue-status');
    const more = supervisor.getByRole('button', { name: 'Show more' });
    await status.filter({ hasText: 'Tickets shown: 200, more below' }).waitFor();
    expect(await rows.count()).toBe(200);

    // From the keyboard: the rest are added below, focus on the first of them, and it is said.
    await more.focus();
    await supervisor.keyboard.press('Enter');
    await status.filter({ hasText: `Tickets: ${total}` }).waitFor();
    expect(await rows.count()).toBe(total);
    expect(await focused(rows.nth(200))).toBe(true);
    expect(await rows.filter({ hasText: 'Bulk question 250' }).count()).toBe(1);
    expect(await more.isVisible()).toBe(false);
    await supervisor
      .locator('[aria-live="polite"]', { hasText: `Tickets added below: ${total - 200}` })
      .waitFor();
    await screenshot(supervisor, '9-supervisor-queue-second-page');

    // A new web-form ticket reloads the queue live: it joins the list, which keeps the rest.
    const form = new FormData();
    form.append('name', 'Dan Customer');
    form.append('email', `dan-${tag}@example.com`);
    form.append('topic', 'billing');
    form.append('message', `Order ${tag}: where is my parcel?`);
    const submitted = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'idempotency-key': `more-${tag}` },
      body: form,
    });
    expect(submitted.status).toBe(201);
    await status.filter({ hasText: `Tickets: ${total + 1}` }).waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBe(total + 1);
    expect(await focused(rows.nth(200))).toBe(true);
  }, 90_000);

  it('lets an admin add a team and a new hire in forms, refusing an overflow time with no team', async () => {
    const page = await signIn(browser, consoleUrl, 'admin@firstline.example');
    // The admin screen opens on teams. (Clicking "Teams" there too renders the screen a second
    // time, and a form filled before that render would be replaced by an empty one.)
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'first-line' }).waitFor();

    // Returns: billing questions, overflowing to the overflow team after 15 minutes.
    const teamId = `returns-${tag}`;
    await page.getByLabel('Id', { exact: true }).fill(teamId);
    await page.getByLabel('Name', { exact: true }).fill('Returns');
    await page.getByRole('checkbox', { name: 'Billing' }).check();
    await page.getByLabel('Overflow after (minutes)').fill('15');

    // A waiting time with nowhere to overflow to is refused in the form; what was typed stays.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose a team to overflow to' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Billing' }).isChecked()).toBe(true);

    await page.getByLabel('Overflow to team').selectOption({ label: 'Overflow' });
    // Two live chats at once for each of its agents, unless an agent's own capacity says more.
    await page.getByLabel('Live chats per agent at once').fill('2.5');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Live chats per agent needs' }).waitFor();
    await page.getByLabel('Live chats per agent at once').fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved ${teamId}, version 1.`).waitFor();
    await screenshot(page, '10-admin-team-form');

    const teams = await admin.ok<Array<{ id: string; team: Record<string, unknown> }>>(
      'GET',
      '/directory/team',
    );
    const team = teams.find((record) => record.id === teamId)?.team;
    expect(team).toMatchObject({
      name: 'Returns',
      skillIds: ['billing'],
      overflowTeamId: 'overflow',
      overflowAfterSeconds: 900,
      defaultChatCapacity: 2,
    });
    expect(team).not.toHaveProperty('calendarId'); // around the clock

    // Rita, the new hire: billing at level 3, two emails and three web forms at a time.
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'ann', exact: true }).waitFor();
    const agentId = `rita-${tag}`;
    await page.getByLabel('Id', { exact: true }).fill(agentId);
    await page.getByLabel('Name', { exact: true }).fill('Rita Returns');
    await page.getByLabel('Email', { exact: true }).fill(`rita-${tag}@firstline.example`);
    await page.getByRole('checkbox', { name: 'Returns' }).check();
    await page.getByRole('button', { name: 'Add a skill' }).click();
    expect(await focused(page.getByLabel('Skill, row 1'))).toBe(true);
    await page.getByLabel('Skill, row 1').selectOption({ label: 'Billing' });
    await page.getByLabel('Level, row 1').selectOption('3');
    await page.getByLabel('Email: tickets at once').fill('2');
    await page.getByLabel('Web form: tickets at once').fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved ${agentId}, version 1.`).waitFor();
    await screenshot(page, '11-admin-agent-form');

    type AgentRecords = Array<{ id: string; agent: Record<string, unknown> }>;
    const rita = async () =>
      (await admin.ok<AgentRecords>('GET', '/directory/agent')).find(
        (record) => record.id === agentId,
      )?.agent;
    const stored = await rita();
    expect(stored).toMatchObject({
      name: 'Rita Returns',
      email: `rita-${tag}@firstline.example`,
      teamIds: [teamId],
      skills: [{ skillId: 'billing', level: 3 }],
      capacity: [
        { channel: 'CHANNEL_EMAIL', maxConcurrent: 2 },
        { channel: 'CHANNEL_WEBFORM', maxConcurrent: 3 },
      ],
      languages: ['en'],
      active: true,
    });

    // Opened afresh (by way of another entry, so the list's current one shows it has loaded), an
    // edit of her languages.
    const opened = (id: string) => page.locator('a[aria-current="true"]', { hasText: id });
    await page.getByRole('link', { name: 'ann', exact: true }).click();
    await opened('ann').waitFor();
    await page.getByRole('link', { name: agentId }).click();
    await opened(agentId).waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Rita Returns');
    await page.getByLabel('Languages (comma-separated, such as en, ru)').fill('en, ru');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved ${agentId}, version 2.`).waitFor();
    expect(await rita()).toMatchObject({ languages: ['en', 'ru'] });
  }, 60_000);
});
