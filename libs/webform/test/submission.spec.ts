import {
  DEFAULT_FORMS,
  parseFormDefinitions,
  parseLocalTime,
  readFollowUp,
  readSubmission,
} from '../src';

const contact = DEFAULT_FORMS.find((form) => form.id === 'contact')!;
const callback = DEFAULT_FORMS.find((form) => form.id === 'callback')!;
const now = new Date('2026-11-23T12:00:00Z');

describe('reading a submission', () => {
  it('normalises what the customer typed', () => {
    const result = readSubmission(
      contact,
      {
        name: ' Bob ',
        email: 'Bob@Example.COM',
        phone: '8-800 (555) 35 35',
        topic: 'billing',
        message: 'Invoice is wrong',
        unknown: 'ignored',
      },
      'en',
      now,
    );
    // A phone without a country code is refused, not guessed.
    expect(result).toMatchObject({
      ok: false,
      errors: [{ field: 'phone', problem: 'invalid_phone' }],
    });
    const fixed = readSubmission(
      contact,
      {
        name: ' Bob ',
        email: 'Bob@Example.COM',
        phone: '+49 151 1234-5678',
        topic: 'billing',
        message: 'Invoice is wrong',
      },
      'en',
      now,
    );
    expect(fixed).toEqual({
      ok: true,
      submission: {
        formId: 'contact',
        name: 'Bob',
        email: 'bob@example.com',
        phone: '+4915112345678',
        topic: { value: 'billing', label: 'Billing and payments', skills: ['billing'] },
        message: 'Invoice is wrong',
        fields: {},
      },
    });
  });

  it('says what is wrong with each field, in the customer’s language', () => {
    const result = readSubmission(
      contact,
      { email: 'nope', topic: 'billing', message: 'x'.repeat(10_001) },
      'ru',
      now,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'name', problem: 'required', message: 'Заполните поле «Ваше имя».' },
        {
          field: 'email',
          problem: 'invalid_email',
          message:
            'В поле «Электронная почта» нужен адрес электронной почты вида name@example.com.',
        },
        {
          field: 'message',
          problem: 'too_long',
          message: 'Поле «Сообщение» слишком длинное: не больше 10000 символов.',
        },
      ],
    });
  });

  it.each([
    ['a window that is over', '2026-11-23T09:00:00Z', '2026-11-23T10:00:00Z', 'window_past'],
    [
      'a window that ends before it starts',
      '2026-11-23T15:00:00Z',
      '2026-11-23T14:00:00Z',
      'window_order',
    ],
    ['a time that is not one', '2026-11-23T15:00:00Z', 'tomorrow', 'invalid_time'],
  ])('refuses %s for a call back', (_case, from, to, problem) => {
    const result = readSubmission(
      callback,
      { name: 'Cleo', phone: '+79123456789', callback_from: from, callback_to: to },
      'en',
      now,
    );
    expect(result).toMatchObject({ ok: false, errors: [{ field: 'callback_to', problem }] });
  });

  it('takes a call-back window', () => {
    const result = readSubmission(
      callback,
      {
        name: 'Cleo',
        phone: '+79123456789',
        callback_from: '2026-11-23T15:00:00+03:00',
        callback_to: '2026-11-23T17:00:00Z',
      },
      'en',
      now,
    );
    expect(result).toMatchObject({
      ok: true,
      submission: {
        callbackWindow: {
          startsAt: new Date('2026-11-23T12:00:00Z'),
          endsAt: new Date('2026-11-23T17:00:00Z'),
        },
      },
    });
  });
});

describe('a form where email and phone are both optional', () => {
  it('still needs one of them', () => {
    const [form] = parseFormDefinitions([
      {
        id: 'feedback',
        title: { en: 'Feedback' },
        fields: [
          { name: 'email', type: 'email', label: { en: 'Email' } },
          { name: 'phone', type: 'phone', label: { en: 'Phone' } },
          { name: 'message', type: 'message', label: { en: 'Message' }, required: true },
        ],
      },
    ]);
    expect(readSubmission(form, { message: 'Nice shop' }, 'en', now)).toMatchObject({
      ok: false,
      errors: [{ field: 'email', problem: 'required', message: 'Please fill in “Email”.' }],
    });
    expect(
      readSubmission(form, { message: 'Nice shop', phone: '+14155550100' }, 'en', now),
    ).toMatchObject({
      ok: true,
    });
  });
});

describe('local times from plain HTML forms', () => {
  it('reads a wall-clock time in the form’s zone, across a DST change', () => {
    expect(parseLocalTime('2026-11-23T15:00', 'Europe/Moscow')).toEqual(
      new Date('2026-11-23T12:00:00Z'),
    );
    expect(parseLocalTime('2026-07-01T15:00', 'Europe/Berlin')).toEqual(
      new Date('2026-07-01T13:00:00Z'),
    );
    expect(parseLocalTime('2026-01-01T15:00', 'Europe/Berlin')).toEqual(
      new Date('2026-01-01T14:00:00Z'),
    );
  });

  it('keeps an explicit offset and refuses impossible dates', () => {
    expect(parseLocalTime('2026-11-23T15:00:00.000Z', 'Europe/Moscow')).toEqual(
      new Date('2026-11-23T15:00:00Z'),
    );
    expect(parseLocalTime('2026-02-30T10:00', 'UTC')).toBeUndefined();
    expect(parseLocalTime('23.11.2026 10:00', 'UTC')).toBeUndefined();
  });
});

describe('a message added on the status page', () => {
  it.each([
    [
      '  ',
      false,
      'ru',
      {
        ok: false,
        errors: [{ field: 'text', problem: 'required', message: 'Заполните поле «Сообщение».' }],
      },
    ],
    ['', true, 'en', { ok: true, text: '' }],
    [' Thanks! ', false, 'en', { ok: true, text: 'Thanks!' }],
  ] as const)('%j with files: %s', (text, hasFiles, locale, expected) => {
    expect(readFollowUp(text, hasFiles, locale)).toEqual(expected);
  });

  it('is at most 10,000 characters', () => {
    expect(readFollowUp('x'.repeat(10_001), false, 'en')).toMatchObject({
      ok: false,
      errors: [
        { problem: 'too_long', message: '“Message” is too long: at most 10000 characters.' },
      ],
    });
  });
});
