import { Channel, IdentityKind } from '@firstline/contracts';
import {
  availability,
  chatSitesSchema,
  leftMessage,
  normaliseVisitorMessage,
  prechatForm,
  readProfile,
  siteOf,
  type ChatSite,
} from '../src';

const visitorId = '3f2b8c1e-7d4a-4e2f-9b6c-0a1d2e3f4a5b';
const at = new Date('2026-03-02T10:15:00Z'); // a Monday

const shop: ChatSite = {
  team: 'first-line',
  prechat: {
    name: 'required',
    email: 'optional',
    topics: [{ value: 'orders', label: { en: 'Orders', ru: 'Заказы' } }],
  },
};

describe('chat sites', () => {
  it('are read from CHAT_SITES, refusing what the widget could not use', () => {
    expect(chatSitesSchema.safeParse({ shop }).success).toBe(true);
    expect(chatSitesSchema.safeParse({ 'Bad Id': {} }).success).toBe(false);
    expect(
      chatSitesSchema.safeParse({
        shop: { prechat: { topics: [{ value: 'A B', label: { en: 'x' } }] } },
      }).success,
    ).toBe(false);
    expect(chatSitesSchema.safeParse({ shop: { colour: 'red' } }).success).toBe(false);
  });

  it('fall back to "default", then to an open chat without a form', () => {
    expect(siteOf({ shop }, 'shop')).toBe(shop);
    expect(siteOf({ default: { team: 'x' } }, 'unknown')).toEqual({ team: 'x' });
    expect(siteOf({}, undefined)).toEqual({});
    expect(siteOf({ shop }, 'constructor')).toEqual({});
  });

  it('give the widget its form in the visitor’s language', () => {
    expect(prechatForm(shop, 'ru')).toEqual({
      name: 'required',
      email: 'optional',
      topics: [{ value: 'orders', label: 'Заказы' }],
    });
    expect(prechatForm({}, 'en')).toBeUndefined();
  });
});

describe('availability', () => {
  const weekdays = {
    timeZone: 'Europe/Moscow',
    weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({
      weekday,
      openMinute: 9 * 60,
      closeMinute: 18 * 60,
    })),
    holidays: [],
    specialWorkingDays: [],
  };

  it('is open in hours with someone online', () => {
    expect(availability({ calendar: weekdays, agentsOnline: 2 }, at)).toEqual({ state: 'open' });
  });

  it('says nobody is there in hours with nobody online', () => {
    expect(availability({ calendar: weekdays, agentsOnline: 0 }, at)).toEqual({
      state: 'no_agent',
    });
    expect(availability({ agentsOnline: 0 }, at)).toEqual({ state: 'no_agent' });
  });

  it('is closed out of hours, whoever is online, and says when it opens', () => {
    const saturday = new Date('2026-03-07T10:00:00Z');
    expect(availability({ calendar: weekdays, agentsOnline: 3 }, saturday)).toEqual({
      state: 'closed',
      opensAt: new Date('2026-03-09T06:00:00Z'),
    });
  });
});

describe('the pre-chat form’s answers', () => {
  it('are kept trimmed, the address in lower case', () => {
    expect(
      readProfile(shop, { name: ' Maria ', email: 'Maria@Example.com ', topic: 'orders' }),
    ).toEqual({ profile: { name: 'Maria', email: 'maria@example.com', topic: 'orders' } });
  });

  it('name every field to correct', () => {
    expect(readProfile(shop, { email: 'not an address', topic: 'refunds' })).toEqual({
      problems: ['name', 'email', 'topic'],
    });
    expect(readProfile(shop, {})).toEqual({ problems: ['name', 'topic'] });
    expect(readProfile({}, { topic: 'orders' })).toEqual({ problems: ['topic'] });
  });

  it('travel with each chat message: the name, the address as a claim, the topic', () => {
    const result = normaliseVisitorMessage(
      {
        visitorId,
        clientMessageId: 'c-1',
        text: 'Hello',
        profile: { name: 'Maria', email: 'maria@example.com', topic: 'orders' },
      },
      at,
    );
    if (result.kind !== 'message') throw new Error(result.kind);
    expect(result.message.sender).toMatchObject({
      kind: IdentityKind.CHAT_VISITOR,
      value: visitorId,
      displayName: 'Maria',
    });
    expect(result.message.sharedIdentities).toEqual([
      expect.objectContaining({ kind: IdentityKind.WEBFORM_EMAIL, value: 'maria@example.com' }),
    ]);
    expect(result.message.formTopic).toBe('orders');
  });
});

describe('a message left while nobody can chat', () => {
  const left = {
    visitorId,
    clientMessageId: 'm-1',
    name: 'Olga',
    email: 'Olga@Example.com',
    text: ' Please call me back. ',
    topic: 'orders',
    locale: 'ru',
    pageUrl: 'https://shop.example/cart',
  };

  it('is an email conversation of its own, from the address given, answered by email', () => {
    const result = leftMessage(left, shop, at);
    if (result.kind !== 'message') throw new Error(result.kind);
    expect(result.message).toMatchObject({
      messageId: `chat-left:${visitorId}:m-1`,
      conversationKey: `chat-left:${visitorId}:m-1`,
      channel: Channel.EMAIL,
      sender: { kind: IdentityKind.WEBFORM_EMAIL, value: 'olga@example.com', displayName: 'Olga' },
      subject: 'Сообщение из чата: Заказы',
      textBody: 'Please call me back.',
      formTopic: 'orders',
      language: 'ru',
      channelMetadata: {
        source: 'chat',
        visitor_id: visitorId,
        page_url: 'https://shop.example/cart',
      },
    });
  });

  it('is the same message when sent again', () => {
    const first = leftMessage(left, shop, at);
    const again = leftMessage(left, shop, new Date(at.getTime() + 5000));
    expect(first.kind === 'message' && first.message.messageId).toBe(
      again.kind === 'message' && again.message.messageId,
    );
  });

  it('is refused without an address, a text, or with a topic the site does not offer', () => {
    expect(leftMessage({ ...left, email: 'nobody' }, shop, at)).toMatchObject({ kind: 'rejected' });
    expect(leftMessage({ ...left, text: '  ' }, shop, at)).toMatchObject({ kind: 'rejected' });
    expect(leftMessage({ ...left, topic: 'refunds' }, shop, at)).toMatchObject({
      kind: 'rejected',
    });
    expect(leftMessage({ ...left, clientMessageId: 'a b' }, shop, at)).toMatchObject({
      kind: 'rejected',
    });
  });
});
