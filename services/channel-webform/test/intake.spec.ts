import { createHash, randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { DataSource } from 'typeorm';
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
import type { ErrorBody, RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  startGroupsAtTopicEnd,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import { channelWebformService } from '../src';
import { ATTACHMENT_STORE, type AttachmentStore } from '@firstline/attachments';
import { DATABASE_PART_BYTES } from '@firstline/attachments/stores';
import {
  AttachmentSweeper,
  UNFINISHED_UPLOAD_GRACE_MS,
} from '../src/attachments/attachment-sweeper';
import { ensureKafka, Observer, startOnBroker } from './support';

const run = uniqueName('wf').replace(/\./g, '-');
const settings = {
  WEBFORM_TRUSTED_PROXY_HOPS: '1',
  WEBFORM_RATE_LIMIT_PER_IP: '5',
  WEBFORM_RATE_LIMIT_PER_EMAIL: '3',
  WEBFORM_MAX_ATTACHMENT_BYTES: '1000000',
  WEBFORM_MAX_CONCURRENT_UPLOADS: '2',
  WEBFORM_ALLOWED_ORIGINS: 'https://shop.example',
};

/**
 * The public API of the web-form channel on the real broker: what a submission publishes, when
 * it answers, and every way it refuses. Each test posts from an address of its own (the service
 * trusts one proxy hop here, so X-Forwarded-For is the client) so rate limits do not mix.
 */
/** Where this suite's service listens, for the raw-socket client below. */
let serviceUrl = '';

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
    service = await startOnBroker(brokers, { ...channelWebformService, name }, database.url, run);
    serviceUrl = service.url;
    observer = await Observer.watch(
      brokers,
      observed,
      [TOPICS.inbound.name, TOPICS.deliveryReceipts.name, TOPICS.outboundEmail.name],
      run,
    );
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
        : text) as Record<string, unknown> & ErrorBody,
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
      sharedIdentities: [{ kind: IdentityKind.WEBFORM_PHONE, value: '+4915112345678' }],
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
    expect(message.sender).toMatchObject({
      kind: IdentityKind.WEBFORM_PHONE,
      value: '+79123456789',
    });
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
    expect(response.body.details?.fields).toEqual([
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
      new Blob([pdfBytes(1_100_000)], { type: 'application/pdf' }),
      'scan.pdf',
    );
    const response = await post('/webform/forms/contact/submissions', form);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: 'attachment_too_large' });
    expect(response.body.message).toBe(
      'The file “scan.pdf” is too large: at most 976.6 KB per file.',
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
    // address the service really listens on, a free port), never from the Host a request named.
    const link = new URL(attachment.url);
    expect(link.origin).toBe(service.url);
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

  describe('uploads cannot exhaust the service', () => {
    const path = '/webform/forms/contact/submissions';
    const db = () => service.app.get(DataSource);
    /** Parts of uploads that no kept file names: uploads in progress, or left behind. */
    const unkeptParts = async () =>
      (
        await db().query(
          `SELECT count(*)::int AS n FROM attachment.part p
           WHERE NOT EXISTS (SELECT 1 FROM attachment.file f WHERE f.upload_id = p.upload_id)`,
        )
      )[0].n as number;

    it('an unknown form, a client over its rate and a declared size over the limit are answered before the body is read', async () => {
      const fifteenMegabytes = {
        'content-type': 'multipart/form-data; boundary=b',
        'content-length': String(15 * 1024 * 1024),
      };
      const firstBytes = Buffer.alloc(64 * 1024, 'a');

      const unknown = partialPost(
        '/webform/forms/nope/submissions',
        { ...fifteenMegabytes, 'x-forwarded-for': newIp() },
        firstBytes,
      );
      expect(await unknown.answer).toMatchObject({ status: 404, connectionClose: true });

      const busy = newIp();
      for (let n = 0; n < 5; n++) await post(path, {}, { ip: busy }); // each counts, each 422
      const limited = partialPost(
        path,
        { ...fifteenMegabytes, 'x-forwarded-for': busy },
        firstBytes,
      );
      expect(await limited.answer).toMatchObject({ status: 429, connectionClose: true });
      expect(Number(limited.header('retry-after'))).toBeGreaterThan(0);

      const oversize = partialPost(
        path,
        { ...fifteenMegabytes, 'x-forwarded-for': newIp() },
        firstBytes,
      );
      expect(await oversize.answer).toMatchObject({ status: 413, connectionClose: true });
      expect(oversize.body()).toContain('The message is too large: at most 3 MB per submission.');
      for (const request of [unknown, limited, oversize]) request.socket.destroy();
    });

    it('a file is stored part by part while it arrives, and served back whole', async () => {
      const file = pdfBytes(900_000);
      const body = multipart(contact('stream'), {
        name: 'scan.pdf',
        type: 'application/pdf',
        bytes: file,
      });
      const key = randomUUID();
      const upload = partialPost(
        path,
        { ...multipartHeaders(body), 'x-forwarded-for': newIp(), 'idempotency-key': key },
        body.subarray(0, 600_000),
      );
      // Half the file sent: its first parts are in the database, not held in memory.
      await waitFor(async () => (await unkeptParts()) >= 2 || undefined);
      upload.socket.write(body.subarray(600_000));
      expect((await upload.answer).status).toBe(201);
      upload.socket.destroy();

      const [message] = await waitFor(
        () => published(`webform:${key}`).length > 0 && published(`webform:${key}`),
      );
      const download = await fetch(message.attachments[0].url);
      expect(download.headers.get('content-length')).toBe('900000');
      expect(Buffer.from(await download.arrayBuffer()).equals(file)).toBe(true);
      expect(await unkeptParts()).toBe(0);
    });

    it('uploads beyond the concurrent limit get 503 with Retry-After, and are taken again once one is done', async () => {
      // Two uploads in progress take both slots (WEBFORM_MAX_CONCURRENT_UPLOADS=2 here).
      const held = [1, 2].map(() => {
        const body = multipart(contact('held'), {
          name: 'scan.pdf',
          type: 'application/pdf',
          bytes: pdfBytes(900_000),
        });
        return partialPost(
          path,
          { ...multipartHeaders(body), 'x-forwarded-for': newIp() },
          body.subarray(0, 400_000),
        );
      });
      await waitFor(async () => (await unkeptParts()) >= 2 || undefined);

      const form = () => {
        const data = new FormData();
        for (const [field, value] of Object.entries(contact('third'))) data.append(field, value);
        data.append(
          'attachments',
          new Blob([pdfBytes(1_000)], { type: 'application/pdf' }),
          'a.pdf',
        );
        return data;
      };
      const turnedAway = await post(path, form());
      expect(turnedAway.status).toBe(503);
      expect(turnedAway.headers.get('retry-after')).toBe('5');
      expect(turnedAway.body.message).toBe(
        'Many files are being sent to us right now. Please send yours again in 5 s.',
      );

      // The customers give up: their slots come back and what they sent is not kept.
      for (const request of held) request.socket.destroy();
      await waitFor(async () => (await unkeptParts()) === 0 || undefined);
      expect((await post(path, form())).status).toBe(201);
    });

    it('a repeated submission with a file keeps the file once and leaves no copy behind', async () => {
      const key = randomUUID();
      const file = pdfBytes(5_000);
      const send = () => {
        const data = new FormData();
        for (const [field, value] of Object.entries(contact('again'))) data.append(field, value);
        data.append('attachments', new Blob([file], { type: 'application/pdf' }), 'a.pdf');
        return post(path, data, { key });
      };
      expect((await send()).status).toBe(201);
      const again = await send();
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');

      const digest = createHash('sha256').update(file).digest('hex');
      const [stored] = await db().query(
        `SELECT count(*)::int AS files,
                (SELECT count(*)::int FROM channel_webform.attachment_use
                 WHERE storage_key = $1) AS uses
         FROM attachment.file WHERE storage_key = $1`,
        [`sha256/${digest}`],
      );
      expect(stored).toEqual({ files: 1, uses: 1 });
      expect(await unkeptParts()).toBe(0);
    });

    it('uploads never finished are removed after the grace time, and kept files stay', async () => {
      const store = service.app.get<AttachmentStore>(ATTACHMENT_STORE);
      const unfinished = store.stage();
      await unfinished.write(Buffer.alloc(DATABASE_PART_BYTES, 1)); // the client went away mid-file
      const used = await post(path, contact('kept'));
      expect(used.status).toBe(201);

      const sweeper = service.app.get(AttachmentSweeper);
      expect(await sweeper.sweep()).toBe(0); // still within grace
      const later = new Date(Date.now() + UNFINISHED_UPLOAD_GRACE_MS + 60_000);
      expect(await sweeper.sweep(later)).toBe(1);

      expect(await unkeptParts()).toBe(0);
      const [{ kept }] = await db().query(`SELECT count(*)::int AS kept FROM attachment.file`);
      expect(kept).toBeGreaterThan(0);
    });
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
    expect(empty.body.details?.fields).toEqual([
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

/** Bytes that pass as a PDF (its signature first), `size` long, different per `seed`. */
function pdfBytes(size: number, seed: string = randomUUID()): Buffer {
  const bytes = Buffer.alloc(size, seed);
  bytes.write('%PDF-1.7\n');
  return bytes;
}

function multipart(
  fields: Record<string, string>,
  file: { name: string; type: string; bytes: Buffer },
): Buffer & { boundary: string } {
  const boundary = `----upload${randomUUID()}`;
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const body = Buffer.concat([
    Buffer.from(parts.join('')),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${file.name}"\r\n` +
        `Content-Type: ${file.type}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return Object.assign(body, { boundary });
}

function multipartHeaders(body: Buffer & { boundary: string }): Record<string, string> {
  return {
    'content-type': `multipart/form-data; boundary=${body.boundary}`,
    'content-length': String(body.length),
    accept: 'application/json',
  };
}

/**
 * A POST from a raw socket that sends its headers and only the first bytes of its body: the
 * answer resolves when the server answers, which it must do without waiting for the rest (a
 * server that waited would never answer, and the test would time out).
 */
function partialPost(
  path: string,
  headers: Record<string, string>,
  firstBytes: Buffer,
): {
  socket: Socket;
  answer: Promise<{ status: number; connectionClose: boolean }>;
  header(name: string): string | undefined;
  body(): string;
} {
  const url = new URL(serviceUrl);
  const socket = connect(Number(url.port), url.hostname);
  let received = '';
  const head = () => received.slice(0, received.indexOf('\r\n\r\n')).toLowerCase();
  const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'm').exec(head())?.[1]?.trim();
  const answer = new Promise<{ status: number; connectionClose: boolean }>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const length = Number(header('content-length') ?? NaN);
      const bodyStart = received.indexOf('\r\n\r\n') + 4;
      if (bodyStart < 4 || Buffer.byteLength(received.slice(bodyStart)) < length) return;
      resolve({
        status: Number(received.slice(9, 12)),
        connectionClose: header('connection') === 'close',
      });
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed without a whole answer: ${received}`)));
  });
  // Awaited by the tests that expect an answer; a socket the test closes itself ends it unanswered.
  answer.catch(() => undefined);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      '\r\n',
  );
  socket.write(firstBytes);
  return {
    socket,
    answer,
    header,
    body: () => received.slice(received.indexOf('\r\n\r\n') + 4),
  };
}
