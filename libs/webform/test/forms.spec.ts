import { DEFAULT_FORMS, parseFormDefinitions, pickLocale, publicForm } from '../src';

describe('form definitions', () => {
  it('come with a contact form and a callback form', () => {
    expect(DEFAULT_FORMS.map((form) => form.id)).toEqual(['contact', 'callback']);
  });

  it.each([
    [[], 'must define at least one form'],
    [
      [
        {
          id: 'x',
          title: { en: 'X' },
          fields: [{ name: 'name', type: 'name', label: { en: 'Name' } }],
        },
      ],
      'form x: needs an email or a phone field, or nobody can be answered',
    ],
    [
      [
        {
          id: 'cb',
          title: { en: 'Call' },
          fields: [
            { name: 'phone', type: 'phone', label: { en: 'Phone' } },
            { name: 'when', type: 'callback_window', label: { en: 'When' } },
          ],
        },
      ],
      'form cb: a callback form needs a required phone field',
    ],
    [
      [
        {
          id: 'x',
          title: { en: 'X' },
          fields: [{ name: 'topic', type: 'topic', label: { en: 'T' } }],
        },
      ],
      'a topic field needs options',
    ],
    [
      [
        {
          id: 'x',
          title: { en: 'X' },
          timeZone: 'Mars/Olympus',
          fields: [{ name: 'e', type: 'email', label: { en: 'E' } }],
        },
      ],
      'timeZone must be an IANA time zone',
    ],
    [
      [
        {
          id: 'x',
          title: { en: 'X' },
          fields: [{ name: 'website', type: 'email', label: { en: 'E' } }],
        },
      ],
      'reserved field names',
    ],
  ])('refuse a bad definition: %j', (definitions, problem) => {
    expect(() => parseFormDefinitions(definitions)).toThrow(problem);
  });

  it('are shown to the widget in one language, without skills', () => {
    const form = publicForm(DEFAULT_FORMS[0], 'ru');
    expect(form.title).toBe('Написать в поддержку');
    expect(form.fields.find((field) => field.type === 'topic')!.options).toEqual([
      { value: 'question', label: 'Вопрос' },
      { value: 'billing', label: 'Оплата и счета' },
      { value: 'bug', label: 'Что-то не работает' },
    ]);
  });
});

describe('the customer’s language', () => {
  it.each([
    [['ru'], 'ru'],
    [[undefined, 'de-DE,ru;q=0.8,en;q=0.5'], 'ru'],
    [['fr'], 'en'],
    [[], 'en'],
  ])('%j → %s', (candidates, locale) => {
    expect(pickLocale(...(candidates as string[]))).toBe(locale);
  });
});
