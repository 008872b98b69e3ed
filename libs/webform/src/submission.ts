import { localToUtc, normaliseEmailAddress, normalisePhoneNumber } from '@firstline/routing';
import type { FormDefinition, FormField, Locale } from './forms';
import { text } from './forms';
import { describeProblem, type Problem } from './messages';

/** A field the customer has to correct, with the sentence that tells them how. */
export interface FieldError {
  field: string;
  problem: Problem;
  message: string;
}

/** A submission that passed its form's rules, normalised. */
export interface ValidSubmission {
  formId: string;
  name?: string;
  /** Lower-cased. */
  email?: string;
  /** E.164. */
  phone?: string;
  topic?: { value: string; label: string; skills: string[] };
  message: string;
  /** Every other field by name, as typed (trimmed). */
  fields: Record<string, string>;
  callbackWindow?: { startsAt: Date; endsAt: Date };
}

export type SubmissionResult =
  { ok: true; submission: ValidSubmission } | { ok: false; errors: FieldError[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks posted values against their form and normalises them. Everything arrives as strings
 * (JSON and form-encoded posts alike); unknown keys are ignored. `now` decides whether a callback
 * window is already over.
 */
export function readSubmission(
  form: FormDefinition,
  posted: Record<string, string | undefined>,
  locale: Locale,
  now: Date,
): SubmissionResult {
  const errors: FieldError[] = [];
  const submission: ValidSubmission = { formId: form.id, message: '', fields: {} };
  const fail = (field: FormField, problem: Problem, limit?: number, name = field.name) =>
    errors.push({
      field: name,
      problem,
      message: describeProblem(problem, locale, { label: text(field.label, locale), limit }),
    });

  for (const field of form.fields) {
    if (field.type === 'callback_window') {
      const window = readWindow(form, field, posted, now);
      if ('problem' in window) fail(field, window.problem, undefined, window.field);
      else if (window.value) submission.callbackWindow = window.value;
      continue;
    }
    const value = (posted[field.name] ?? '').trim();
    if (!value) {
      if (field.required) fail(field, 'required');
      continue;
    }
    if (value.length > field.maxLength) {
      fail(field, 'too_long', field.maxLength);
      continue;
    }
    switch (field.type) {
      case 'name':
        submission.name = value;
        break;
      case 'email':
        if (value.length > 254 || !EMAIL.test(value)) fail(field, 'invalid_email');
        else submission.email = normaliseEmailAddress(value);
        break;
      case 'phone': {
        const phone = normalisePhoneNumber(value);
        if (!phone) fail(field, 'invalid_phone');
        else submission.phone = phone;
        break;
      }
      case 'topic': {
        const option = field.options?.find((candidate) => candidate.value === value);
        if (!option) fail(field, 'unknown_topic');
        else {
          submission.topic = {
            value: option.value,
            label: text(option.label, locale),
            skills: option.skills,
          };
        }
        break;
      }
      case 'message':
        submission.message = value;
        break;
      default:
        submission.fields[field.name] = value;
    }
  }
  // Both optional on a shop's own form, but one of them is how the customer gets an answer.
  const contact = form.fields.find((field) => field.type === 'email' || field.type === 'phone');
  if (errors.length === 0 && !submission.email && !submission.phone && contact)
    fail(contact, 'required');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, submission };
}

/** Longest message a customer may add on their status page. */
export const FOLLOW_UP_MAX_LENGTH = 10_000;

/** A message added on the status page: text, files, or both. */
export function readFollowUp(
  posted: string | undefined,
  hasFiles: boolean,
  locale: Locale,
): { ok: true; text: string } | { ok: false; errors: FieldError[] } {
  const value = (posted ?? '').trim();
  const label = locale === 'ru' ? 'Сообщение' : 'Message';
  const fail = (problem: Problem, limit?: number) => ({
    ok: false as const,
    errors: [
      { field: 'text', problem, message: describeProblem(problem, locale, { label, limit }) },
    ],
  });
  if (!value && !hasFiles) return fail('required');
  if (value.length > FOLLOW_UP_MAX_LENGTH) return fail('too_long', FOLLOW_UP_MAX_LENGTH);
  return { ok: true, text: value };
}

type WindowReading =
  { value?: { startsAt: Date; endsAt: Date } } | { problem: Problem; field: string };

function readWindow(
  form: FormDefinition,
  field: FormField,
  posted: Record<string, string | undefined>,
  now: Date,
): WindowReading {
  const fromName = `${field.name}_from`;
  const toName = `${field.name}_to`;
  const from = (posted[fromName] ?? '').trim();
  const to = (posted[toName] ?? '').trim();
  if (!from && !to) return field.required ? { problem: 'required', field: fromName } : {};
  if (!from) return { problem: 'required', field: fromName };
  if (!to) return { problem: 'required', field: toName };
  const startsAt = parseLocalTime(from, form.timeZone);
  if (!startsAt) return { problem: 'invalid_time', field: fromName };
  const endsAt = parseLocalTime(to, form.timeZone);
  if (!endsAt) return { problem: 'invalid_time', field: toName };
  if (endsAt <= startsAt) return { problem: 'window_order', field: toName };
  if (endsAt <= now) return { problem: 'window_past', field: toName };
  return { value: { startsAt, endsAt } };
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * An ISO 8601 time: with a UTC offset (what the widget sends) as it says, without one (an HTML
 * datetime-local input posted by a classic form) as a wall-clock time in `timeZone`.
 */
export function parseLocalTime(value: string, timeZone: string): Date | undefined {
  const local = LOCAL_TIME.exec(value);
  if (!local) {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
      return undefined;
    }
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }
  const [, year, month, day, hour, minute, second] = local.map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second || 0);
  const check = new Date(asUtc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23) {
    return undefined;
  }
  return new Date(localToUtc(timeZone, asUtc));
}
