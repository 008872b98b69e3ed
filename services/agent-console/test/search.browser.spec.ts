import type { Browser, Locator, Page } from 'playwright-core';
import { channelWebformService } from '@firstline/channel-webform';
import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import { Pipeline, uniqueName, waitFor, type AgentApi } from '@firstline/testing';
import { buildConsole, launchChromium, refusedByPolicy, screenshot, signIn } from './browser';

const tag = uniqueName('search').replace(/\W/g, '').slice(-10);

/**
 * Issue 18's search in real Chromium across the services on the real broker: a first-line agent
 * presses "/", types a Russian word in another form than the customer wrote it, sees the ticket
 * with the word marked, and opens it with Enter; a billing agent finds nothing of it; an address
 * typed in full opens with a click.
 */
describe('searching from the console header', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let supervisor: AgentApi;
  let number: string;

  beforeAll(async () => {
    buildConsole();
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelWebformService,
      channelSettings: (url) => ({ WEBFORM_PUBLIC_URL: url }),
    });
    browser = await launchChromium();
    supervisor = await pipeline.login('supervisor@firstline.example');

    const form = new FormData();
    const fields = {
      name: 'Мария Иванова',
      email: `maria-${tag}@example.com`,
      topic: 'question',
      message: `Здравствуйте! Курьер привёз мою посылку не туда, заказ ${tag}.`,
    };
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const submitted = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'idempotency-key': tag },
      body: form,
    });
    expect(submitted.status).toBe(201);
    number = await waitFor(async () => {
      const { results } = await supervisor.ok<{ results: Array<{ number: string }> }>(
        'GET',
        `/search?q=${encodeURIComponent(fields.email)}`,
      );
      return results[0]?.number;
    }, 30_000);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  const searchBox = (page: Page) => page.getByRole('combobox', { name: 'Search tickets' });
  const focused = (locator: Locator) =>
    locator.evaluate((element) => {
      const node = element as unknown as { ownerDocument: { activeElement: unknown } };
      return node.ownerDocument.activeElement === node;
    });
  const entry = (page: Page) => page.locator('.timeline .entry', { hasText: `заказ ${tag}` });
  const result = (page: Page) => page.getByRole('option', { name: new RegExp(`#${number}`) });

  it('focuses the box with "/", finds «посылку» by «посылка» and opens it with Enter', async () => {
    const ann = await signIn(browser, `${pipeline.tickets.url}/console/`, 'ann@firstline.example');
    await ann.keyboard.press('/');
    expect(await focused(searchBox(ann))).toBe(true);
    await ann.keyboard.type('посылка');

    await result(ann).waitFor();
    expect(await result(ann).textContent()).toContain('Мария Иванова');
    expect(await result(ann).textContent()).toContain('First line');
    expect(await result(ann).getAttribute('aria-selected')).toBe('true');
    expect(await result(ann).locator('mark').allTextContents()).toEqual(['посылку']);
    await screenshot(ann, 'search-1-results');

    await ann.keyboard.press('Enter');
    await ann.getByRole('heading', { name: 'Conversation' }).waitFor();
    expect(ann.url()).toContain('#/ticket/');
    await entry(ann).waitFor();

    // "/" typed into the reply is part of the reply, not a jump to the search.
    const reply = ann.getByLabel('Reply', { exact: true });
    await reply.click();
    await ann.keyboard.type('1/2');
    expect(await reply.inputValue()).toBe('1/2');
    expect(refusedByPolicy(ann)).toEqual([]);
  });

  it('shows an agent of another team nothing of it', async () => {
    const bill = await signIn(
      browser,
      `${pipeline.tickets.url}/console/`,
      'bill@firstline.example',
    );
    await bill.keyboard.press('/');
    await bill.keyboard.type('посылка');
    await bill.getByText('Nothing found for “посылка”.').waitFor();
  });

  it('opens a ticket found by its customer’s address with a click', async () => {
    const sam = await signIn(
      browser,
      `${pipeline.tickets.url}/console/`,
      'supervisor@firstline.example',
    );
    await sam.keyboard.press('/');
    await sam.keyboard.type(`MARIA-${tag}@example.com`);
    await result(sam).click();
    await sam.getByRole('heading', { name: 'Conversation' }).waitFor();
    await entry(sam).waitFor();
    await screenshot(sam, 'search-2-opened');
  });
});
