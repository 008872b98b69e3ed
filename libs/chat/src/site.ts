import { z } from 'zod';
import { isOpen, nextOpen, type BusinessCalendar } from '@firstline/routing';

/** The widget's languages; `en` stands in for a missing translation. */
export type ChatLocale = 'en' | 'ru';
export type Localised = { en: string; ru?: string };

/** Whether a pre-chat field is asked, and whether it must be filled. */
export type FieldRule = 'off' | 'optional' | 'required';

/** One choice of the pre-chat topic: its value is the message's `form_topic` for the router's rules. */
export interface ChatTopic {
  value: string;
  label: Localised;
}

/** One site that embeds the widget (`data-site`): whose team answers, and its pre-chat form. */
export interface ChatSite {
  /**
   * The team whose agents and working hours decide whether the chat is open; unset: always open
   * (the router still routes each chat by its rules).
   */
  team?: string;
  /** Asked before the first message; none: the chat starts at once. */
  prechat?: { name: FieldRule; email: FieldRule; topics: ChatTopic[] };
}

const localised = z
  .object({ en: z.string().min(1).max(80), ru: z.string().min(1).max(80).optional() })
  .strict();
const rule = z.enum(['off', 'optional', 'required']);

const siteSchema = z
  .object({
    team: z.string().min(1).max(100).optional(),
    prechat: z
      .object({
        name: rule.default('optional'),
        email: rule.default('optional'),
        topics: z
          .array(
            z
              .object({
                value: z
                  .string()
                  .regex(/^[a-z0-9_-]{1,40}$/, 'topic values must be 1-40 of a-z, 0-9, _ and -'),
                label: localised,
              })
              .strict(),
          )
          .max(20)
          .default([]),
      })
      .strict()
      .optional(),
  })
  .strict();

/** CHAT_SITES: a JSON object of site id → ChatSite; the site "default" serves a tag naming none. */
export const chatSitesSchema = z.record(
  z.string().regex(/^[a-z0-9_-]{1,40}$/, 'site ids are 1-40 of a-z, 0-9, _ and -'),
  siteSchema,
);

export type ChatSites = Record<string, ChatSite>;

/** The site a widget tag names, or the default one (a chat without a form, always open). */
export function siteOf(sites: ChatSites, id: unknown): ChatSite {
  return (typeof id === 'string' && Object.hasOwn(sites, id) ? sites[id] : sites.default) ?? {};
}

/** What the widget needs to draw the pre-chat form, in its language. */
export function prechatForm(site: ChatSite, locale: ChatLocale) {
  if (!site.prechat) return undefined;
  return {
    name: site.prechat.name,
    email: site.prechat.email,
    topics: site.prechat.topics.map((topic) => ({
      value: topic.value,
      label: topic.label[locale] ?? topic.label.en,
    })),
  };
}

/** Whether a chat can start now: open, outside the team's hours, or nobody online in it. */
export type Availability =
  { state: 'open' } | { state: 'closed'; opensAt?: Date } | { state: 'no_agent' };

/**
 * Hours first: out of hours the answer is "closed, back at …" even when someone happens to be
 * signed in. No calendar: the team works around the clock.
 */
export function availability(
  team: { calendar?: BusinessCalendar; agentsOnline: number },
  now: Date,
): Availability {
  if (team.calendar && !isOpen(team.calendar, now)) {
    const opensAt = nextOpen(team.calendar, now);
    return opensAt ? { state: 'closed', opensAt } : { state: 'closed' };
  }
  return team.agentsOnline > 0 ? { state: 'open' } : { state: 'no_agent' };
}

/** What the visitor told the pre-chat form, as far as it is valid; the rest is dropped or refused. */
export interface VisitorProfile {
  name?: string;
  email?: string;
  topic?: string;
}

const EMAIL = /^[^\s@<>(),;:"]{1,64}@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]{2,}$/;

/** A plausible address: one @, a dot in the domain, nothing that breaks a mail header. */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value);
}

/**
 * The pre-chat form's answers checked against the site's form: the fields the visitor must fix,
 * named, or the profile. Names are trimmed and capped at 200 characters; a topic must be offered.
 */
export function readProfile(
  site: ChatSite,
  given: unknown,
): { profile: VisitorProfile } | { problems: Array<'name' | 'email' | 'topic'> } {
  const form = site.prechat;
  const raw = (given && typeof given === 'object' ? given : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const name = text(raw.name).slice(0, 200);
  const email = text(raw.email).toLowerCase();
  const topic = text(raw.topic);
  const problems: Array<'name' | 'email' | 'topic'> = [];
  if (form?.name === 'required' && !name) problems.push('name');
  if ((form?.email === 'required' && !email) || (email && !isEmailAddress(email))) {
    problems.push('email');
  }
  if (topic && !form?.topics.some((offered) => offered.value === topic)) problems.push('topic');
  if (!topic && form && form.topics.length > 0) problems.push('topic');
  if (problems.length > 0) return { problems };
  return {
    profile: {
      ...(name && form?.name !== 'off' ? { name } : {}),
      ...(email && form?.email !== 'off' ? { email } : {}),
      ...(topic ? { topic } : {}),
    },
  };
}
