import { z } from 'zod';

/** The languages the widget, the hosted pages and every message a customer reads come in. */
export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

/** A text in every locale; `en` is required and stands in for a missing translation. */
export type Localised = { en: string } & Partial<Record<Locale, string>>;

/**
 * What a field means to Firstline. `name`, `email` and `phone` identify the customer, `topic` picks
 * the skills, `message` is the text the agent reads, `callback_window` is when to call back;
 * `text` and `textarea` are the shop's own questions, passed on in InboundMessage.form_fields.
 */
export const FIELD_TYPES = [
  'name',
  'email',
  'phone',
  'topic',
  'message',
  'text',
  'textarea',
  'callback_window',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One choice of a topic field, and the skills a ticket about it needs. */
export interface TopicOption {
  value: string;
  label: Localised;
  skills: string[];
}

export interface FormField {
  /** The key it is posted under (a callback window posts `<name>_from` and `<name>_to`). */
  name: string;
  type: FieldType;
  label: Localised;
  required: boolean;
  /** Longest accepted value, in characters. */
  maxLength: number;
  /** For `topic`. */
  options?: TopicOption[];
}

export interface FormDefinition {
  id: string;
  title: Localised;
  /** Shown under the title. */
  intro?: Localised;
  fields: FormField[];
  /** Whether files may be attached. */
  attachments: boolean;
  /**
   * IANA zone in which a callback window posted without a UTC offset (a classic HTML form) is
   * read; the widget always sends offsets.
   */
  timeZone: string;
}

const localised = z
  .object({ en: z.string().min(1), ru: z.string().min(1).optional() })
  .strict() as z.ZodType<Localised>;

const fieldName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,39}$/,
    'field names must be 1-40 of a-z, 0-9 and _, starting with a letter',
  );

const field = z
  .object({
    name: fieldName,
    type: z.enum(FIELD_TYPES),
    label: localised,
    required: z.boolean().default(false),
    maxLength: z.number().int().positive().max(20_000).default(2_000),
    options: z
      .array(
        z.object({
          value: z
            .string()
            .regex(/^[a-z0-9_-]{1,40}$/, 'topic values must be 1-40 of a-z, 0-9, _ and -'),
          label: localised,
          skills: z.array(z.string().min(1)).default([]),
        }),
      )
      .min(1)
      .optional(),
  })
  .strict()
  .refine((f) => f.type !== 'topic' || f.options, 'a topic field needs options')
  .refine((f) => !['website', 'idempotency_key', 'locale', 'attachments'].includes(f.name), {
    message:
      'website (the honeypot), idempotency_key, locale and attachments are reserved field names',
  });

const form = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'form ids must be 1-40 of a-z, 0-9 and -'),
    title: localised,
    intro: localised.optional(),
    fields: z.array(field).min(1),
    attachments: z.boolean().default(false),
    timeZone: z
      .string()
      .default('UTC')
      .refine(isTimeZone, 'timeZone must be an IANA time zone such as "Europe/Moscow"'),
  })
  .strict()
  .superRefine((f, context) => {
    const names = f.fields.map((x) => x.name);
    if (new Set(names).size !== names.length) {
      context.addIssue({ code: 'custom', message: `form ${f.id}: field names must be unique` });
    }
    for (const type of ['name', 'email', 'phone', 'topic', 'message', 'callback_window'] as const) {
      if (f.fields.filter((x) => x.type === type).length > 1) {
        context.addIssue({ code: 'custom', message: `form ${f.id}: at most one ${type} field` });
      }
    }
    const contact = f.fields.filter((x) => x.type === 'email' || x.type === 'phone');
    if (contact.length === 0) {
      context.addIssue({
        code: 'custom',
        message: `form ${f.id}: needs an email or a phone field, or nobody can be answered`,
      });
    }
    const window = f.fields.find((x) => x.type === 'callback_window');
    if (window && !f.fields.some((x) => x.type === 'phone' && x.required)) {
      context.addIssue({
        code: 'custom',
        message: `form ${f.id}: a callback form needs a required phone field`,
      });
    }
  });

export const formDefinitions = z
  .array(form)
  .min(1, 'must define at least one form')
  .refine(
    (forms) => new Set(forms.map((f) => f.id)).size === forms.length,
    'form ids must be unique',
  );

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reads form definitions (WEBFORM_FORMS) already parsed from JSON; throws the first problem in words. */
export function parseFormDefinitions(value: unknown): FormDefinition[] {
  const result = formDefinitions.safeParse(value);
  if (result.success) return result.data as FormDefinition[];
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? `at ${issue.path.join('.')}: ` : '';
  throw new Error(`${where}${issue.message}`);
}

/** What a shop gets without configuring anything: a contact form and a callback request. */
export const DEFAULT_FORMS: FormDefinition[] = parseFormDefinitions([
  {
    id: 'contact',
    title: { en: 'Contact support', ru: 'Написать в поддержку' },
    intro: {
      en: 'We answer every message. You will see your ticket number right after sending.',
      ru: 'Мы отвечаем на каждое сообщение. Номер обращения вы увидите сразу после отправки.',
    },
    fields: [
      {
        name: 'name',
        type: 'name',
        label: { en: 'Your name', ru: 'Ваше имя' },
        required: true,
        maxLength: 200,
      },
      {
        name: 'email',
        type: 'email',
        label: { en: 'Email', ru: 'Электронная почта' },
        required: true,
        maxLength: 254,
      },
      {
        name: 'phone',
        type: 'phone',
        label: { en: 'Phone (optional)', ru: 'Телефон (необязательно)' },
        maxLength: 32,
      },
      {
        name: 'topic',
        type: 'topic',
        label: { en: 'Topic', ru: 'Тема' },
        required: true,
        maxLength: 40,
        options: [
          { value: 'question', label: { en: 'A question', ru: 'Вопрос' }, skills: ['general'] },
          {
            value: 'billing',
            label: { en: 'Billing and payments', ru: 'Оплата и счета' },
            skills: ['billing'],
          },
          {
            value: 'bug',
            label: { en: 'Something does not work', ru: 'Что-то не работает' },
            skills: ['technical'],
          },
        ],
      },
      {
        name: 'message',
        type: 'message',
        label: { en: 'Message', ru: 'Сообщение' },
        required: true,
        maxLength: 10_000,
      },
    ],
    attachments: true,
  },
  {
    id: 'callback',
    title: { en: 'Request a call back', ru: 'Заказать обратный звонок' },
    intro: {
      en: 'Leave your number and a time that suits you; we call within that window.',
      ru: 'Оставьте номер и удобное время — мы позвоним в этот промежуток.',
    },
    fields: [
      {
        name: 'name',
        type: 'name',
        label: { en: 'Your name', ru: 'Ваше имя' },
        required: true,
        maxLength: 200,
      },
      {
        name: 'phone',
        type: 'phone',
        label: { en: 'Phone', ru: 'Телефон' },
        required: true,
        maxLength: 32,
      },
      {
        name: 'callback',
        type: 'callback_window',
        label: { en: 'When to call', ru: 'Когда позвонить' },
        required: true,
        maxLength: 40,
      },
      {
        name: 'message',
        type: 'message',
        label: { en: 'What is it about? (optional)', ru: 'О чём поговорить? (необязательно)' },
        maxLength: 2_000,
      },
    ],
  },
]);

/** The text in `locale`, or English when the shop did not translate it. */
export function text(value: Localised, locale: Locale): string {
  return value[locale] ?? value.en;
}

/** The first supported locale of an Accept-Language header or an explicit choice; English otherwise. */
export function pickLocale(...candidates: Array<string | undefined>): Locale {
  for (const candidate of candidates) {
    if (!candidate) continue;
    for (const part of candidate.split(',')) {
      const tag = part.split(';')[0].trim().toLowerCase().slice(0, 2);
      if ((LOCALES as readonly string[]).includes(tag)) return tag as Locale;
    }
  }
  return 'en';
}

/** A form as the widget needs it: labels in one locale, nothing the customer need not see. */
export function publicForm(definition: FormDefinition, locale: Locale) {
  return {
    id: definition.id,
    locale,
    title: text(definition.title, locale),
    intro: definition.intro ? text(definition.intro, locale) : '',
    attachments: definition.attachments,
    fields: definition.fields.map((f) => ({
      name: f.name,
      type: f.type,
      label: text(f.label, locale),
      required: f.required,
      maxLength: f.maxLength,
      options: f.options?.map((option) => ({
        value: option.value,
        label: text(option.label, locale),
      })),
    })),
  };
}
