import { customerLanguage, customerTexts, customerTextsProblem, fillText } from '../src';

describe('customer texts', () => {
  it.each([
    ['ru', 'ru'],
    ['ru-RU', 'ru'],
    ['RU', 'ru'],
    ['en', 'en'],
    ['de', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('the language tag %j is answered in %s', (tag, language) => {
    expect(customerLanguage(tag)).toBe(language);
  });

  it('signs an agent’s answer in the customer’s language', () => {
    expect(fillText(customerTexts('ru').signature, { name: 'Анна' })).toBe(
      'Анна, служба поддержки',
    );
    expect(fillText(customerTexts('en').signature, { name: 'Ann' })).toBe('Ann from Support');
  });

  it('takes the directory’s words for a language over the shipped ones, blank ones aside', () => {
    const texts = customerTexts('ru', {
      ru: { team: 'Поддержка Acme', survey: '   ' },
      en: { team: 'Acme Care' },
    });
    expect(texts.team).toBe('Поддержка Acme');
    expect(texts.survey).toBe(customerTexts('ru').survey);
    expect(customerTexts('en', { ru: { team: 'Поддержка Acme' } }).team).toBe('Support');
  });

  it('fills the places a template names and leaves unknown ones as written', () => {
    expect(fillText('#{number} by {time}, {other}', { number: '10001', time: '10:00' })).toBe(
      '#10001 by 10:00, {other}',
    );
  });

  it('ships every text in every language', () => {
    const english = customerTexts('en');
    const russian = customerTexts('ru');
    for (const key of Object.keys(english) as Array<keyof typeof english>) {
      expect(russian[key]).not.toBe(english[key]);
      // Russian texts carry no English words; ticket numbers and places aside.
      expect(russian[key].replace(/\{\w+\}/g, '')).not.toMatch(/[A-Za-z]{2,}/);
    }
  });

  it.each<[string, Record<string, string>, string | undefined]>([
    ['ru', { survey: 'Запрос #{number} решён. Оцените от 1 до 5.' }, undefined],
    ['ru', {}, undefined],
    ['de', { team: 'Kundendienst' }, 'id: texts are for one of en, ru, not "de"'],
    ['en', { greeting: 'Hi' }, expect.stringContaining('texts.greeting: no such text') as string],
    [
      'en',
      { survey: 'Rate #{number}, {price}' },
      'texts.survey: {price} is not filled in here (places: {number})',
    ],
  ])('checks an admin’s texts for %s: %j', (language, texts, problem) => {
    expect(customerTextsProblem(language, texts)).toEqual(problem);
  });
});
