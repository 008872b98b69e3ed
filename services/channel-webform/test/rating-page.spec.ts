import { randomUUID } from 'node:crypto';
import {
  Channel,
  create,
  decode,
  directoryKey,
  DirectoryKind,
  DirectoryRecordSchema,
  encode,
  IdentityKind,
  InboundMessageSchema,
  messageType,
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
import { signRatingLink, type RatingLink } from '@firstline/webform';
import { channelWebformService } from '../src';
import { DirectoryProjection } from '@firstline/channel-kit';
import { ensureKafka, Observer, startOnBroker } from './support';

const run = uniqueName('rating').replace(/\./g, '-');
const secret = `${randomUUID()}${randomUUID()}`;

/**
 * The survey's rating page on the real broker: a link the tickets service signed opens it in the
 * customer's language, its answer goes to the inbound topic as the survey answer it is, and a
 * link that is not ours or has expired opens nothing.
 */
describe('the rating page', () => {
  let service: RunningService;
  let database: TestDatabase;
  let observer: Observer;
  const name = `channel-webform-${run}`;

  beforeAll(async () => {
    const brokers = await ensureKafka();
    database = await createTestDatabase();
    const observed = `obs-${run}`;
    await startGroupsAtTopicEnd(brokers, [name, observed]);
    process.env.RATING_LINK_SECRET = secret;
    service = await startOnBroker(brokers, { ...channelWebformService, name }, database.url, run);
    observer = await Observer.watch(brokers, observed, [TOPICS.inbound.name], run);
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await observer?.stop();
    await database?.drop();
    delete process.env.RATING_LINK_SECRET;
  });

  const link = (fields: Partial<RatingLink> = {}): RatingLink => ({
    ticketId: randomUUID(),
    ticketNumber: '10042',
    conversationKey: `email:${randomUUID()}@example.com`,
    channel: Channel.EMAIL,
    customer: { kind: IdentityKind.EMAIL, value: `${run}@example.com`, displayName: 'Анна' },
    language: 'ru',
    expiresAt: new Date(Date.now() + 3600_000),
    ...fields,
  });
  const url = (rated: RatingLink, key = secret) =>
    `${service.url}/webform/rate/${signRatingLink(rated, Buffer.from(key))}`;
  const rate = (target: string, fields: Record<string, string>) =>
    fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams(fields),
    });

  it('asks in the customer’s language and sends the score as a survey answer of the rated ticket', async () => {
    const rated = link();
    const page = await fetch(url(rated));
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('Оцените нашу помощь по запросу #10042');

    const key = randomUUID();
    const answer = await rate(url(rated), {
      score: '3',
      comment: ' Долго, но решили ',
      idempotency_key: key,
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('Спасибо! Ваша оценка 3 из 5 записана.');
    const messageId = `webform:rating:${rated.ticketId}:${key}`;
    const [record] = await waitFor(() => {
      const found = observer.on(TOPICS.inbound.name, messageId);
      return found.length > 0 && found;
    }, 30_000);
    expect(record!.key).toBe(rated.conversationKey);
    expect(decode(InboundMessageSchema, record!.value)).toMatchObject({
      messageId,
      conversationKey: rated.conversationKey,
      sender: { kind: IdentityKind.EMAIL, value: rated.customer.value },
      csatAnswer: { ticketId: rated.ticketId, score: 3, comment: 'Долго, но решили' },
      language: 'ru',
    });
  }, 60_000);

  it('asks again, in words, for a score it did not get', async () => {
    const answer = await rate(url(link()), { comment: 'нет оценки' });
    expect(answer.status).toBe(422);
    expect(await answer.text()).toContain('Выберите оценку от 1 до 5.');
  });

  it('opens nothing for a link signed with another secret or past its time', async () => {
    const forged = await fetch(url(link(), 'another-secret-of-thirty-two-characters!'));
    const expired = await fetch(url(link({ expiresAt: new Date(Date.now() - 1000) })));
    const bent = await rate(url(link()).replace(/\.[\w-]+$/, '.AAAA'), { score: '1' });
    expect([forged.status, expired.status, bent.status]).toEqual([410, 410, 410]);
  });

  it('speaks in the words an admin set in the directory for the language', async () => {
    const record = create(DirectoryRecordSchema, {
      kind: DirectoryKind.CUSTOMER_TEXTS,
      id: 'ru',
      version: 1,
      payload: {
        case: 'customerTexts',
        value: { id: 'ru', texts: { ratingTitle: 'Как мы справились с запросом #{number}?' } },
      },
    });
    await service.app.get(DirectoryProjection).handle([
      {
        record: {
          topic: TOPICS.directory.name,
          partition: 0,
          offset: '0',
          key: directoryKey(DirectoryKind.CUSTOMER_TEXTS, 'ru'),
          value: Buffer.from(encode(DirectoryRecordSchema, record)),
          headers: {
            messageId: `${run}:texts-ru`,
            type: messageType(DirectoryRecordSchema),
            schemaVersion: 1,
            traceId: run,
            producedAt: new Date().toISOString(),
          },
          extraHeaders: {},
        },
        message: record,
      },
    ]);
    expect(await (await fetch(url(link()))).text()).toContain(
      'Как мы справились с запросом #10042?',
    );
    // English customers keep the shipped English.
    expect(await (await fetch(url(link({ language: 'en' })))).text()).toContain(
      'Rate our help with request #10042',
    );
  });
});
