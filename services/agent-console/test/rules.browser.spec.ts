import type { Browser } from 'playwright-core';
import { channelWebformService } from '@firstline/channel-webform';
import { DirectoryKind } from '@firstline/contracts';
import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import { Pipeline, waitFor } from '@firstline/testing';
import { buildConsole, launchChromium, refusedByPolicy, screenshot, signIn } from './browser';

/**
 * Issue 21's rule-change preview in real Chromium, across router, tickets and the web form on the
 * real broker: customers write through the contact form and the live rules send them to the first
 * line; an admin drafts a rule that sends parcels to the technical team, previews it over the
 * stored messages, and publishes it, which reaches the router.
 */
describe('an admin drafts a rule, previews it over stored messages and publishes it', () => {
  let pipeline: Pipeline;
  let browser: Browser;

  beforeAll(async () => {
    buildConsole();
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelWebformService,
      channelSettings: (url) => ({ WEBFORM_PUBLIC_URL: url }),
      withDirectory: true,
    });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  const write = async (key: string, message: string) => {
    const response = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${pipeline.run}-${key}` },
      body: JSON.stringify({
        name: `Customer ${key}`,
        email: `${key}-${pipeline.run}@example.com`,
        topic: 'question',
        message,
      }),
    });
    expect(response.status).toBe(201);
  };

  const routerRuleSetVersion = () =>
    pipeline.databases.router
      .pool()
      .query(`SELECT version FROM routing.directory_entry WHERE kind = $1 AND id = 'default'`, [
        DirectoryKind.RULE_SET,
      ])
      .then(({ rows }) => rows[0]?.version as number | undefined);

  it('shows the teams before and after, the rules that never match and moved messages', async () => {
    await write('a', 'Where is my parcel?');
    await write('b', 'My parcel is late by a week.');
    await write('c', 'How do I change my address?');
    await waitFor(async () => {
      const { rows } = await pipeline.databases.tickets
        .pool()
        .query(`SELECT count(*)::int AS tickets FROM tickets.ticket`);
      return rows[0].tickets === 3;
    }, 30_000);
    await waitFor(async () => (await routerRuleSetVersion()) === 1, 30_000);

    const page = await signIn(
      browser,
      `${pipeline.tickets.url}/console/`,
      'admin@firstline.example',
    );
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'Rules: draft and preview' }).click();
    await page.getByText('Live rules: version 1. No draft').waitFor();
    // Nothing to publish before there is a previewed draft.
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);

    await page.getByLabel('Rule id').fill('parcels');
    await page.getByLabel('When').selectOption({ label: 'Subject and text' });
    await page.getByLabel('Test').selectOption({ label: 'contains a word or phrase' });
    await page.getByLabel('Values (comma-separated)').fill('parcel, посылка');
    await page.getByLabel('Send to team').selectOption({ label: 'Technical' });
    await page.getByRole('button', { name: 'Add to the draft' }).click();
    await page.getByText('Rule parcels added at the top of the draft.').waitFor();
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Draft saved (revision 1)' }).waitFor();

    await page.getByLabel('Days of stored messages to replay').fill('7');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page
      .getByText(
        '3 messages that opened tickets in the last 7 days replayed (revision 1 against version 1): 2 would go to another team.',
      )
      .waitFor();
    const teams = page.getByRole('table', { name: 'Messages per team' });
    expect(await teams.getByRole('row').allInnerTexts()).toEqual([
      'Team\tNow\tWith the draft\tChange',
      'First line\t3\t1\t−2',
      'Technical\t0\t2\t+2',
    ]);
    const never = page.getByRole('list', { name: 'Rules of the draft that decide no message' });
    expect(await never.getByRole('listitem').allInnerTexts()).toEqual(
      expect.arrayContaining(['billing-topic', 'technical-topic', 'billing-keywords']),
    );
    const examples = page.getByRole('table', { name: 'Examples of messages that move' });
    const moved = (await examples.getByRole('row').allInnerTexts()).slice(1);
    expect(moved).toHaveLength(2);
    for (const text of moved) {
      expect(text).toContain('parcel');
      expect(text).toContain('First line (no rule matched)');
      expect(text).toContain('Technical (parcels)');
    }
    await screenshot(page, 'rules-preview');

    await page.getByRole('button', { name: 'Publish' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Published as version 2. The router hears of it at once.' })
      .waitFor();
    await page.getByText('Live rules: version 2. No draft').waitFor();
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Version 2' })
      .filter({ hasText: 'by Ada Admin — published after a preview of 3 messages: 2 moved' })
      .waitFor();
    await screenshot(page, 'rules-published');
    await waitFor(async () => (await routerRuleSetVersion()) === 2, 30_000);
    expect(refusedByPolicy(page)).toEqual([]);

    // The same page in Russian, the history included.
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { name: 'Правила: черновик и проверка' }).waitFor();
    await page
      .getByRole('listitem')
      .filter({ hasText: 'опубликована после проверки 3 сообщений: перешло 2' })
      .waitFor();
    await screenshot(page, 'rules-russian');
  }, 180_000);
});
