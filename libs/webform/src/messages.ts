import type { Locale } from './forms';

/** Why a submission was refused; each has a message the widget shows as it is. */
export type Problem =
  | 'required'
  | 'invalid_email'
  | 'invalid_phone'
  | 'too_long'
  | 'unknown_topic'
  | 'invalid_time'
  | 'window_order'
  | 'window_past'
  | 'honeypot'
  | 'rate_limited'
  | 'body_too_large'
  | 'attachment_too_large'
  | 'too_many_attachments'
  | 'attachment_type'
  | 'attachments_not_allowed'
  | 'unknown_form'
  | 'unknown_status'
  | 'invalid_idempotency_key'
  | 'idempotency_conflict'
  | 'unreadable_body'
  | 'unavailable'
  | 'uploads_busy';

/** What a message may mention: the field's label, a number, a list. */
export interface ProblemDetails {
  label?: string;
  limit?: number;
  seconds?: number;
  list?: string;
  file?: string;
}

type Render = (details: ProblemDetails) => string;

const MESSAGES: Record<Locale, Record<Problem, Render>> = {
  en: {
    required: ({ label }) => `Please fill in “${label}”.`,
    invalid_email: ({ label }) => `“${label}” must be an email address like name@example.com.`,
    invalid_phone: ({ label }) =>
      `“${label}” must be a phone number with the country code, like +7 912 345-67-89.`,
    too_long: ({ label, limit }) => `“${label}” is too long: at most ${limit} characters.`,
    unknown_topic: ({ label }) => `Please choose one of the offered options for “${label}”.`,
    invalid_time: ({ label }) => `“${label}” needs a valid date and time.`,
    window_order: ({ label }) => `“${label}”: the end must be later than the start.`,
    window_past: ({ label }) => `“${label}”: the time window must not be over already.`,
    honeypot: () =>
      'The form was sent with a field people cannot see filled in, as robots do. Please reload the page and try again.',
    rate_limited: ({ seconds }) =>
      `Too many messages in a short time. Please try again in ${seconds} s.`,
    body_too_large: ({ limit }) =>
      `The message is too large: at most ${formatBytes(limit ?? 0, 'en')} per submission.`,
    attachment_too_large: ({ file, limit }) =>
      `The file “${file}” is too large: at most ${formatBytes(limit ?? 0, 'en')} per file.`,
    too_many_attachments: ({ limit }) => `Too many files: at most ${limit}.`,
    attachment_type: ({ file, list }) =>
      `The file “${file}” has a type we do not accept. Allowed: ${list}.`,
    attachments_not_allowed: () => 'This form does not take files.',
    unknown_form: () => 'This form does not exist (any more). Please reload the page.',
    unknown_status: () => 'There is no request with this link. Please check the link.',
    invalid_idempotency_key: () =>
      'The submission key must be 8 to 100 characters of letters, digits, - and _.',
    idempotency_conflict: () =>
      'This submission key was already used for a different message. Please reload the page.',
    unreadable_body: () => 'The form data could not be read. Please reload the page and try again.',
    unavailable: () =>
      'Your message could not be registered just now. Please send it again in a minute; it will not be doubled.',
    uploads_busy: ({ seconds }) =>
      `Many files are being sent to us right now. Please send yours again in ${seconds} s.`,
  },
  ru: {
    required: ({ label }) => `Заполните поле «${label}».`,
    invalid_email: ({ label }) =>
      `В поле «${label}» нужен адрес электронной почты вида name@example.com.`,
    invalid_phone: ({ label }) =>
      `В поле «${label}» нужен номер телефона с кодом страны, например +7 912 345-67-89.`,
    too_long: ({ label, limit }) => `Поле «${label}» слишком длинное: не больше ${limit} символов.`,
    unknown_topic: ({ label }) => `Выберите один из предложенных вариантов в поле «${label}».`,
    invalid_time: ({ label }) => `В поле «${label}» нужны корректные дата и время.`,
    window_order: ({ label }) => `«${label}»: конец промежутка должен быть позже начала.`,
    window_past: ({ label }) => `«${label}»: этот промежуток времени уже прошёл.`,
    honeypot: () =>
      'Форма отправлена с заполненным скрытым полем, как это делают роботы. Обновите страницу и попробуйте ещё раз.',
    rate_limited: ({ seconds }) =>
      `Слишком много сообщений за короткое время. Попробуйте снова через ${seconds} с.`,
    body_too_large: ({ limit }) =>
      `Сообщение слишком большое: не больше ${formatBytes(limit ?? 0, 'ru')} за одну отправку.`,
    attachment_too_large: ({ file, limit }) =>
      `Файл «${file}» слишком большой: не больше ${formatBytes(limit ?? 0, 'ru')} на файл.`,
    too_many_attachments: ({ limit }) => `Слишком много файлов: не больше ${limit}.`,
    attachment_type: ({ file, list }) =>
      `Файлы такого типа, как «${file}», не принимаются. Можно: ${list}.`,
    attachments_not_allowed: () => 'Эта форма не принимает файлы.',
    unknown_form: () => 'Такой формы нет (больше нет). Обновите страницу.',
    unknown_status: () => 'По этой ссылке обращение не найдено. Проверьте ссылку.',
    invalid_idempotency_key: () =>
      'Ключ отправки должен состоять из 8–100 латинских букв, цифр, - и _.',
    idempotency_conflict: () =>
      'Этот ключ отправки уже использован для другого сообщения. Обновите страницу.',
    unreadable_body: () =>
      'Не удалось прочитать данные формы. Обновите страницу и попробуйте ещё раз.',
    unavailable: () =>
      'Сейчас не удалось зарегистрировать сообщение. Отправьте его ещё раз через минуту — оно не задвоится.',
    uploads_busy: ({ seconds }) =>
      `Сейчас нам отправляют много файлов. Отправьте ваш ещё раз через ${seconds} с.`,
  },
};

/** The customer-facing sentence for a problem, in their language. */
export function describeProblem(problem: Problem, locale: Locale, details: ProblemDetails = {}) {
  return MESSAGES[locale][problem](details);
}

function formatBytes(bytes: number, locale: Locale): string {
  const [unit, size] =
    bytes >= 1024 * 1024
      ? [locale === 'ru' ? 'МБ' : 'MB', bytes / (1024 * 1024)]
      : bytes >= 1024
        ? [locale === 'ru' ? 'КБ' : 'KB', bytes / 1024]
        : [locale === 'ru' ? 'байт' : 'bytes', bytes];
  return `${Number(size.toFixed(1))} ${unit}`;
}
