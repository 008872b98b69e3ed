/**
 * Every text a customer reads from Firstline itself — automatic replies, the satisfaction survey,
 * the rating page, the agent's signature, the status page's stages — in the customer's language. English
 * and Russian ship here; an admin overrides any of them per language in the directory (kind
 * CUSTOMER_TEXTS, one entry per language), and every service renders through `customerTexts`.
 * Templates name their values in braces: "#{number}".
 */

export const CUSTOMER_LANGUAGES = ['en', 'ru'] as const;
export type CustomerLanguage = (typeof CUSTOMER_LANGUAGES)[number];

const ENGLISH = {
  acknowledgement: 'Thank you for your message. Your request number is #{number}.',
  answerBy: 'We will answer by {time}.',
  answerSoon: 'We will answer as soon as we can.',
  queuePlace: 'You are {place} in line.',
  answerIn: 'We expect to answer in about {duration}.',
  closedNow: 'Our team is not at work right now.',
  closedUntil: 'Our team is not at work right now and will be back on {time}.',
  survey:
    'Your request #{number} is resolved. How satisfied are you with our help? Reply with a ' +
    'number from 1 (not at all) to 5 (very), and a comment if you like.',
  surveyLink: 'Or rate us on this page: {link}',
  chatSurvey: 'The chat has ended. How satisfied are you with our help?',
  agentJoined: '{name} has joined the chat.',
  transcriptSubject: 'Your chat with Support',
  transcriptYou: 'You',
  team: 'Support',
  signature: '{name} from Support',
  ratingTitle: 'Rate our help with request #{number}',
  ratingQuestion: 'How satisfied are you with our help?',
  ratingLowest: 'not at all',
  ratingHighest: 'very',
  ratingComment: 'Comment (optional)',
  ratingSend: 'Send',
  ratingThanks: 'Thank you! Your rating of {score} of 5 is recorded.',
  ratingExpired: 'This rating link has expired or is not valid.',
  ratingMissing: 'Choose a score from 1 to 5.',
  statusLink: 'Your request and the whole conversation: {link}',
  verifyLink: 'If you sent this request, confirm that this address is yours: {link}',
  stageReceived: 'Received',
  stageQueued: 'Waiting for an agent',
  stageInProgress: 'An agent is working on it',
  stageWaitingForYou: 'Waiting for your answer',
  stageResolved: 'Resolved',
  stageClosed: 'Closed',
} as const;

export type CustomerTextKey = keyof typeof ENGLISH;
export type CustomerTexts = Record<CustomerTextKey, string>;
/** An admin's texts for one language, over the shipped ones. */
export type CustomerTextOverrides = Partial<Record<CustomerTextKey, string>>;
export type CustomerTextsByLanguage = Partial<Record<CustomerLanguage, CustomerTextOverrides>>;

const RUSSIAN: CustomerTexts = {
  acknowledgement: 'Спасибо за обращение. Номер вашего запроса — #{number}.',
  answerBy: 'Мы ответим до: {time}.',
  answerSoon: 'Мы ответим как можно скорее.',
  queuePlace: 'Вы {place} в очереди.',
  answerIn: 'Ответим примерно через {duration}.',
  closedNow: 'Сейчас мы не работаем.',
  closedUntil: 'Сейчас мы не работаем и вернёмся: {time}.',
  survey:
    'Ваш запрос #{number} решён. Насколько вы довольны нашей помощью? Ответьте цифрой от 1 ' +
    '(совсем нет) до 5 (очень), можно с комментарием.',
  surveyLink: 'Или оцените нас на этой странице: {link}',
  chatSurvey: 'Чат завершён. Насколько вы довольны нашей помощью?',
  agentJoined: 'К чату подключился специалист: {name}.',
  transcriptSubject: 'Ваш чат со службой поддержки',
  transcriptYou: 'Вы',
  team: 'Служба поддержки',
  signature: '{name}, служба поддержки',
  ratingTitle: 'Оцените нашу помощь по запросу #{number}',
  ratingQuestion: 'Насколько вы довольны нашей помощью?',
  ratingLowest: 'совсем нет',
  ratingHighest: 'очень',
  ratingComment: 'Комментарий (по желанию)',
  ratingSend: 'Отправить',
  ratingThanks: 'Спасибо! Ваша оценка {score} из 5 записана.',
  ratingExpired: 'Ссылка для оценки устарела или неверна.',
  ratingMissing: 'Выберите оценку от 1 до 5.',
  statusLink: 'Ваше обращение и вся переписка: {link}',
  verifyLink: 'Если это обращение отправили вы, подтвердите, что это ваш адрес: {link}',
  stageReceived: 'Получено',
  stageQueued: 'Ожидает специалиста',
  stageInProgress: 'Специалист работает над обращением',
  stageWaitingForYou: 'Ждём вашего ответа',
  stageResolved: 'Решено',
  stageClosed: 'Закрыто',
};

const SHIPPED: Record<CustomerLanguage, CustomerTexts> = { en: ENGLISH, ru: RUSSIAN };

/** The shipped language a BCP 47 tag is answered in: Russian for "ru…", English otherwise. */
export function customerLanguage(tag: string | undefined): CustomerLanguage {
  return tag?.toLowerCase().split(/[-_]/)[0] === 'ru' ? 'ru' : 'en';
}

/** The locale dates are written in for a language. */
export function customerLocale(language: CustomerLanguage): string {
  return language === 'ru' ? 'ru-RU' : 'en-GB';
}

/** The texts of a language, each as the directory overrides it or as shipped. */
export function customerTexts(
  language: string | undefined,
  overrides: CustomerTextsByLanguage = {},
): CustomerTexts {
  const chosen = customerLanguage(language);
  const own = overrides[chosen] ?? {};
  const texts = { ...SHIPPED[chosen] };
  for (const key of Object.keys(texts) as CustomerTextKey[]) {
    if (own[key]?.trim()) texts[key] = own[key];
  }
  return texts;
}

/** Whether a key names a customer text: what the directory accepts. */
export function isCustomerTextKey(key: string): key is CustomerTextKey {
  return Object.hasOwn(ENGLISH, key);
}

/** A template with its "{name}" places filled; a place without a value is left as written. */
export function fillText(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (place, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : place,
  );
}

/**
 * Why an admin's texts for a language cannot be used, or undefined: the language must be one
 * Firstline answers in and every key one it knows, and a text may only name the places its
 * shipped text names (a survey without "{number}" is fine, one with "{price}" is a typo).
 */
export function customerTextsProblem(
  language: string,
  texts: Record<string, string>,
): string | undefined {
  if (!(CUSTOMER_LANGUAGES as readonly string[]).includes(language)) {
    return `id: texts are for one of ${CUSTOMER_LANGUAGES.join(', ')}, not "${language}"`;
  }
  for (const [key, text] of Object.entries(texts)) {
    if (!isCustomerTextKey(key)) {
      return `texts.${key}: no such text; one of ${Object.keys(ENGLISH).join(', ')}`;
    }
    const allowed = new Set(placesOf(ENGLISH[key]));
    const unknown = placesOf(text).find((place) => !allowed.has(place));
    if (unknown) {
      const known = [...allowed].map((place) => `{${place}}`).join(', ') || 'none';
      return `texts.${key}: {${unknown}} is not filled in here (places: ${known})`;
    }
  }
  return undefined;
}

function placesOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
}

const RUSSIAN_ORDINALS = [
  'первый',
  'второй',
  'третий',
  'четвёртый',
  'пятый',
  'шестой',
  'седьмой',
  'восьмой',
  'девятый',
  'десятый',
];
const ENGLISH_ORDINAL_SUFFIXES: Record<string, string> = { one: 'st', two: 'nd', few: 'rd' };
const englishOrdinals = new Intl.PluralRules('en', { type: 'ordinal' });
const russianCounts = new Intl.PluralRules('ru');

/**
 * A place in line as the customer reads it: "3rd"; «третий» in words up to ten, «12-й» beyond
 * (the masculine form, which Russian uses for "вы" when the customer's gender is unknown).
 */
export function placeInLine(language: CustomerLanguage, place: number): string {
  if (language === 'ru') return RUSSIAN_ORDINALS[place - 1] ?? `${place}-й`;
  return `${place}${ENGLISH_ORDINAL_SUFFIXES[englishOrdinals.select(place)] ?? 'th'}`;
}

/** Russian nouns after a number, in the accusative that «через» takes: 1/21 минуту, 2 минуты, 5 минут. */
const RUSSIAN_UNITS = {
  minute: { one: 'минуту', few: 'минуты', many: 'минут' },
  hour: { one: 'час', few: 'часа', many: 'часов' },
} as const;

/**
 * A wait in whole minutes (rounded up: "about 7 minutes" must not be shorter than meant), or in
 * hours, rounded, from an hour on.
 */
export function approximateDuration(language: CustomerLanguage, ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const [count, unit] =
    minutes < 60 ? [minutes, 'minute' as const] : [Math.round(minutes / 60), 'hour' as const];
  if (language === 'ru') {
    const form = russianCounts.select(count) as 'one' | 'few' | 'many' | 'other';
    return `${count} ${RUSSIAN_UNITS[unit][form === 'other' ? 'many' : form]}`;
  }
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
