import { randomUUID } from 'node:crypto';
import {
  Channel,
  create,
  decode,
  DeliveryStatus,
  encode,
  IdentityKind,
  InboundMessageSchema,
  messageType,
  OutboundMessageSchema,
  timestampDate,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  startGroupsAtTopicEnd,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import { channelWebformService } from '../src';
import { ensureKafka, Observer, startOnBroker } from './support';

const run = uniqueName('wf').replace(/\./g, '-');
const settings = {
  WEBFORM_TRUSTED_PROXY_HOPS: '1',
  WEBFORM_RATE_LIMIT_PER_IP: '5',
  WEBFORM_RATE_LIMIT_PER_EMAIL: '3',
  WEBFORM_MAX_ATTACHMENT_BYTES: '100000',
  WEBFORM_ALLOWED_ORIGINS: 'https://shop.example',
};

/**
 * The public API of the web-form channel on the real broker: what a submission publishes, when
 * it answers, and every way it refuses. Each test posts from an address of its own (the service
 * trusts one proxy hop here, so X-Forwarded-For is the client) so rate limits do not mix.
 */
describe('web-form intake', () => {
  let service: RunningService;
  let database: TestDatabase;
  let observer: Observer;
  let ipCounter = 0;
  const name = `channel-webform-${run}`;

  beforeAll(async () => {
    const brokers = await ensureKafka();
    database = await createTestDatabase();
    const observed = `obs-${run}`;
    await startGroupsAtTopicEnd(brokers, [name, observed]);
    Object.assign(process.env, settings);
    service = await startOnBroker(brokers, { ...channelWebformService, name }, database.url);
    observer = await Observer.watch(brokers, observed, [
      TOPICS.inbound.name,
      TOPICS.deliveryReceipts.name,
      TOPICS.outboundEmail.name,
    ]);
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await observer?.stop();
    await database?.drop();
    for (const variable of Object.keys(settings)) delete process.env[variable];
  });

  const newIp = () => `198.51.100.${++ipCounter}`;
  const email = (who: string) => `${who}-${run}@example.com`;

  const post = async (
    path: string,
    body: Record<string, string> | FormData | string,
    options: { ip?: string; key?: string; locale?: string; type?: string; accept?: string } = {},
  ) => {
    const headers: Record<string, string> = {
      'x-forwarded-for': options.ip ?? newIp(),
      accept: options.accept ?? 'application/json',
    };
    if (options.key) headers['idempotency-key'] = options.key;
    if (options.locale) headers['accept-language'] = options.locale;
    let payload: string | FormData;
    if (body instanceof FormData) payload = body;
    else if (typeof body === 'string') {
      payload = body;
      headers['content-type'] = options.type ?? 'application/x-www-form-urlencoded';
    } else {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers,
      body: payload,
      redirect: 'manual',
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text && response.headers.get('content-type')?.includes('json')
        ? JSON.parse(text)
        : text) as Record<string, unknown> & {
        message: string;
        errors: Array<{ field: string; message: string }>;
      },
    };
  };

  const contact = (who: string, extra: Record<string, string> = {}) => ({
    name: 'Bob Customer',
    email: email(who),
    topic: 'billing',
    message: 'My invoice shows the wrong amount.',
    ...extra,
  });

  const published = (messageId: string) =>
    observer
      .on(TOPICS.inbound.name, messageId)
      .map((record) => decode(InboundMessageSchema, record.value));

  it('a submission is answered once Kafka has it, with the status link, and carries the form', async () => {
    const key = randomUUID();
    const response = await post(
      '/webform/forms/contact/submissions',
      contact('bob', { phone: '+49 151 1234-5678' }),
      {
        key,
      },
    );
    expect(response.status).toBe(201);
    const token = response.body.statusToken as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(response.body.statusUrl).toBe(`${service.url}/webform/s/${token}`);

    const [message] = await waitFor(
      () => published(`webform:${key}`).length > 0 && published(`webform:${key}`),
    );
    expect(message).toMatchObject({
      channel: Channel.WEBFORM,
      sender: {
        kind: IdentityKind.WEBFORM_EMAIL,
        value: email('bob'),
        displayName: 'Bob Customer',
      },
      sharedIdentities: [{ kind: IdentityKind.PHONE, value: '+4915112345678' }],
      conversationKey: `webform:${token}`,
      formTopic: 'billing',
      issuedLinkToken: token,
      textBody: 'My invoice shows the wrong amount.',
    });
    expect(message.channelMetadata.topic_skills).toBe('billing');
  });

  it('the same idempotency key twice is one submission with one answer', async () => {
    const key = randomUUID();
    const first = await post('/webform/forms/contact/submissions', contact('double'), { key });
    const second = await post('/webform/forms/contact/submissions', contact('double'), { key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.statusToken).toBe(first.body.statusToken);
    const rows = await service.app
      .get((await import('typeorm')).DataSource)
      .query(`SELECT count(*)::int AS n FROM channel_webform.conversation WHERE email = $1`, [
        email('double'),
      ]);
    expect(rows[0].n).toBe(1);
    // Both answers waited for Kafka; downstream sees one message id.
    await waitFor(() => published(`webform:${key}`).length >= 1);
    expect(new Set(published(`webform:${key}`).map((m) => m.conversationKey)).size).toBe(1);
  });

  it('a key reused for a different message is refused', async () => {
    const key = randomUUID();
    await post('/webform/forms/contact/submissions', contact('reuse'), { key });
    const other = await post(
      '/webform/forms/contact/submissions',
      contact('reuse', { message: 'Something else' }),
      {
        key,
      },
    );
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency_conflict');
    expect(other.body.message).toMatch(/already used for a different message/);
  });

  it('a classic HTML form post is redirected to its status page', async () => {
    const form = new URLSearchParams({ ...contact('classic'), idempotency_key: randomUUID() });
    const response = await post('/webform/forms/contact/submissions', form.toString(), {
      accept: 'text/html,application/xhtml+xml',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/\/webform\/s\/[A-Za-z0-9_-]{32}$/);
  });

  it('a callback request carries its window and the phone as the sender', async () => {
    const key = randomUUID();
    const startsAt = new Date(Date.now() + 3600_000);
    const endsAt = new Date(Date.now() + 7200_000);
    const response = await post(
      '/webform/forms/callback/submissions',
      {
        name: 'Cleo',
        phone: '+7 (912) 345-67-89',
        callback_from: startsAt.toISOString(),
        callback_to: endsAt.toISOString(),
      },
      { key },
    );
    expect(response.status).toBe(201);
    const [message] = await waitFor(
      () => published(`webform:${key}`).length > 0 && published(`webform:${key}`),
    );
    expect(message.sender).toMatchObject({ kind: IdentityKind.PHONE, value: '+79123456789' });
    expect(timestampDate(message.callbackWindow!.startsAt!)).toEqual(startsAt);
    expect(timestampDate(message.callbackWindow!.endsAt!)).toEqual(endsAt);
  });

  it('missing and malformed fields are refused field by field, in the customer’s language', async () => {
    const response = await post(
      '/webform/forms/contact/submissions',
      { name: '', email: 'not-an-address', topic: 'lottery', message: 'hi' },
      { locale: 'ru' },
    );
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { field: 'name', problem: 'required', message: 'Заполните поле «Ваше имя».' },
      {
        field: 'email',
        problem: 'invalid_email',
        message: 'В поле «Электронная почта» нужен адрес электронной почты вида name@example.com.',
      },
      {
        field: 'topic',
        problem: 'unknown_topic',
        message: 'Выберите один из предложенных вариантов в поле «Тема».',
      },
    ]);
  });

  it('a filled-in honeypot is refused with a clear error', async () => {
    const response = await post(
      '/webform/forms/contact/submissions',
      contact('robot', { website: 'http://spam.example' }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'honeypot' });
    expect(response.body.message).toMatch(/robots/);
  });

  it('too many submissions from one address get 429 with Retry-After', async () => {
    const ip = newIp();
    const statuses: number[] = [];
    for (let n = 0; n < 6; n++) {
      statuses.push(
        (await post('/webform/forms/contact/submissions', contact(`ip${n}`), { ip })).status,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const refused = await post('/webform/forms/contact/submissions', contact('ip6'), { ip });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.message).toMatch(
      /Too many messages in a short time\. Please try again in \d+ s\./,
    );
  });

  it('too many submissions for one email get 429 whatever the address', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) {
      statuses.push(
        (await post('/webform/forms/contact/submissions', contact('same-email'))).status,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('an oversize attachment gets 413 naming the file and the limit', async () => {
    const form = new FormData();
    for (const [field, value] of Object.entries(contact('big'))) form.append(field, value);
    form.append(
      'attachments',
      new Blob([new Uint8Array(150_000)], { type: 'application/pdf' }),
      'scan.pdf',
    );
    const response = await post('/webform/forms/contact/submissions', form);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: 'attachment_too_large' });
    expect(response.body.message).toBe(
      'The file “scan.pdf” is too large: at most 97.7 KB per file.',
    );
  });

  it('a file whose bytes are not its declared type is refused', async () => {
    const form = new FormData();
    for (const [field, value] of Object.entries(contact('exe'))) form.append(field, value);
    form.append(
      'attachments',
      new Blob([Buffer.from('MZ\x90\x00 not a pdf')], { type: 'application/pdf' }),
      'invoice.pdf',
    );
    const response = await post('/webform/forms/contact/submissions', form);
    expect(response.status).toBe(415);
    expect(response.body.message).toMatch(/“invoice.pdf” has a type we do not accept/);
  });

  it('an allowed attachment is stored and linked from the message', async () => {
    const key = randomUUID();
    const form = new FormData();
    for (const [field, value] of Object.entries(contact('file'))) form.append(field, value);
    form.append(
      'attachments',
      new Blob([Buffer.from('%PDF-1.7\n...')], { type: 'application/pdf' }),
      'invoice.pdf',
    );
    const response = await post('/webform/forms/contact/submissions', form, { key });
    expect(response.status).toBe(201);
    const [message] = await waitFor(
      () => published(`webform:${key}`).length > 0 && published(`webform:${key}`),
    );
    const [attachment] = message.attachments;
    expect(attachment).toMatchObject({
      fileName: 'invoice.pdf',
      contentType: 'application/pdf',
      sizeBytes: 12,
    });
    // A link stored in the ticket for agents: from the configured address (unset here: the
    // embedded one), never from the Host a request named.
    const link = new URL(attachment.url);
    expect(link.origin).toBe('http://127.0.0.1:3001');
    const download = await fetch(`${service.url}${link.pathname}`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('%PDF-1.7\n...');
  });

  it('a body over the limit gets 413 with a message', async () => {
    const response = await post(
      '/webform/forms/contact/submissions',
      contact('huge', { message: 'x'.repeat(70_000) }),
    );
    expect(response.status).toBe(413);
    expect(response.body.message).toBe('The message is too large: at most 64 KB per submission.');
  });

  it('the widget may call from an allowed origin only', async () => {
    const preflight = await fetch(`${service.url}/webform/forms/contact/submissions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const foreign = await fetch(`${service.url}/webform/forms/contact`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the status page speaks the language the customer wrote in, on any device', async () => {
    const created = await post('/webform/forms/contact/submissions', contact('russian'), {
      locale: 'ru',
    });
    const token = created.body.statusToken as string;
    const page = (headers: Record<string, string>, query = '') =>
      fetch(`${service.url}/webform/s/${token}${query}`, { headers }).then((r) => r.text());
    // Opened from an English phone, the link still speaks Russian; asked for English, English.
    expect(await page({ 'accept-language': 'en-GB,en;q=0.9' })).toContain('<html lang="ru">');
    expect(await page({ 'accept-language': 'ru' }, '?locale=en')).toContain('<html lang="en">');
  });

  it('an agent reply is on the status page, acknowledged, and mailed to the customer', async () => {
    const created = await post('/webform/forms/contact/submissions', contact('reply'));
    const token = created.body.statusToken as string;
    const reply = create(OutboundMessageSchema, {
      outboundId: `reply-${randomUUID()}`,
      ticketId: `ticket-${run}`,
      ticketNumber: '10234',
      channel: Channel.WEBFORM,
      recipient: { kind: IdentityKind.WEBFORM_EMAIL, value: email('reply') },
      conversationKey: `webform:${token}`,
      subject: 'Re: Contact support [#10234]',
      textBody: 'We corrected the invoice.',
      senderDisplayName: 'Ann from Support',
      createdAt: timestampFromDate(new Date()),
    });
    await observer.bus.publish([
      {
        topic: TOPICS.outboundWebform.name,
        key: reply.conversationKey,
        value: encode(OutboundMessageSchema, reply),
        headers: { messageId: reply.outboundId, type: messageType(OutboundMessageSchema) },
      },
    ]);
    const receipt = await waitFor(
      () => observer.on(TOPICS.deliveryReceipts.name, `${reply.outboundId}:SENT`)[0],
    );
    expect(decode(TOPICS.deliveryReceipts.schema, receipt.value)).toMatchObject({
      outboundId: reply.outboundId,
      channel: Channel.WEBFORM,
      status: DeliveryStatus.SENT,
    });
    const mail = await waitFor(
      () => observer.on(TOPICS.outboundEmail.name, `${reply.outboundId}:email`)[0],
    );
    const copy = decode(OutboundMessageSchema, mail.value);
    expect(copy).toMatchObject({
      channel: Channel.EMAIL,
      recipient: { kind: IdentityKind.EMAIL, value: email('reply') },
      ticketId: reply.ticketId,
    });
    expect(copy.textBody).toContain(`/webform/s/${token}`);

    const status = (await (await fetch(`${service.url}/webform/status/${token}`)).json()) as {
      messages: Array<{ from: string; author: string; text: string }>;
    };
    expect(status.messages.map((m) => [m.from, m.author, m.text])).toEqual([
      ['customer', 'Bob Customer', 'My invoice shows the wrong amount.'],
      ['support', 'Ann from Support', 'We corrected the invoice.'],
    ]);
  });

  it('a follow-up from the status page continues the conversation under its own id', async () => {
    const created = await post('/webform/forms/contact/submissions', contact('follow'));
    const token = created.body.statusToken as string;
    const empty = await post(`/webform/status/${token}/messages`, { text: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors).toEqual([
      { field: 'text', problem: 'required', message: 'Please fill in “Message”.' },
    ]);

    const key = randomUUID();
    const sent = await post(
      `/webform/status/${token}/messages`,
      { text: 'One more thing.' },
      { key },
    );
    const again = await post(
      `/webform/status/${token}/messages`,
      { text: 'One more thing.' },
      { key },
    );
    expect([sent.status, again.status]).toEqual([201, 200]);
    expect(again.body.statusToken).toBe(token);
    const [message] = await waitFor(
      () => published(`webform:${key}`).length > 0 && published(`webform:${key}`),
    );
    expect(message).toMatchObject({
      conversationKey: `webform:${token}`,
      sender: { kind: IdentityKind.WEBFORM_EMAIL, value: email('follow') },
      subject: 'Re: Contact support: Billing and payments',
      textBody: 'One more thing.',
    });
  });

  it('a plain HTML form is refused with a page that says why', async () => {
    const form = new URLSearchParams({ ...contact('page'), email: 'nobody' });
    const response = await post('/webform/forms/contact/submissions', form.toString(), {
      accept: 'text/html',
    });
    expect(response.status).toBe(422);
    expect(response.body).toContain(
      '<p role="alert">“Email” must be an email address like name@example.com.</p>',
    );
  });

  it('an unknown status link is a 404 with a message', async () => {
    const response = await fetch(`${service.url}/webform/status/nope`, {
      headers: { 'accept-language': 'ru' },
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe(
      'По этой ссылке обращение не найдено. Проверьте ссылку.',
    );
  });
});
