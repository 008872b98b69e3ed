import { Channel, Priority, RuleField, RuleOperator } from '@firstline/contracts';
import { utcToLocal } from './calendar';

/** The contract's `RuleCondition`. */
export interface RuleCondition {
  field: RuleField;
  /** FORM_FIELD / CHANNEL_METADATA: which entry; LOCAL_TIME: the IANA time zone. */
  key: string;
  operator: RuleOperator;
  values: string[];
  negate: boolean;
}

/** The contract's `RuleActions`. */
export interface RuleActions {
  teamId: string;
  skillIds: string[];
  priority: Priority;
  tags: string[];
}

export interface Rule {
  id: string;
  conditions: RuleCondition[];
  /** A rule without actions decides nothing and is skipped. */
  actions?: RuleActions;
}

/** The contract's `RuleSet`: ordered rules, first match wins, then the fallback. */
export interface RuleSet {
  version: number;
  rules: Rule[];
  fallback?: RuleActions;
}

/** The general first line: where a message goes when no rule says otherwise. */
export const DEFAULT_TEAM_ID = 'first-line';

/** What applies before the directory has published a rule set. */
export const DEFAULT_RULE_SET: RuleSet = {
  version: 0,
  rules: [],
  fallback: { teamId: DEFAULT_TEAM_ID, skillIds: [], priority: Priority.NORMAL, tags: [] },
};

/** What classification looks at: the message plus what the router knows of its customer. */
export interface ClassificationInput {
  channel: Channel;
  subject: string;
  textBody: string;
  formTopic?: string;
  formFields: Record<string, string>;
  channelMetadata: Record<string, string>;
  senderValue: string;
  /** BCP 47, detected or declared; "" when unknown. */
  language: string;
  customerTier: string;
  customerTags: string[];
  receivedAt: Date;
}

export interface Classification {
  teamId: string;
  skillIds: string[];
  priority: Priority;
  tags: string[];
  /** Empty when the fallback applied. */
  matchedRuleId: string;
  ruleSetVersion: number;
}

/** Decides team, skills, priority and tags: the first rule whose conditions all hold wins. */
export function classify(ruleSet: RuleSet, input: ClassificationInput): Classification {
  const matched = ruleSet.rules.find(
    (rule) => rule.actions && rule.conditions.every((condition) => holds(condition, input)),
  );
  const actions = matched?.actions ?? ruleSet.fallback ?? DEFAULT_RULE_SET.fallback!;
  return {
    teamId: actions.teamId || DEFAULT_TEAM_ID,
    skillIds: [...actions.skillIds],
    priority: actions.priority === Priority.UNSPECIFIED ? Priority.NORMAL : actions.priority,
    tags: [...actions.tags],
    matchedRuleId: matched?.id ?? '',
    ruleSetVersion: ruleSet.version,
  };
}

/**
 * What makes a rule set unusable, checked before it is saved, so the router never meets a rule it
 * cannot evaluate: ids missing or repeated, a pattern that does not compile, a malformed time
 * range or time zone. Undefined when it is fine.
 */
export function ruleSetProblem(ruleSet: Pick<RuleSet, 'rules'>): string | undefined {
  const seen = new Set<string>();
  for (const [index, rule] of ruleSet.rules.entries()) {
    const where = `rules[${index}]`;
    if (!rule.id.trim()) return `${where}: a rule needs an id`;
    if (seen.has(rule.id)) return `${where}: the id ${rule.id} is used twice`;
    seen.add(rule.id);
    for (const condition of rule.conditions) {
      const problem = conditionProblem(condition);
      if (problem) return `${where} (${rule.id}): ${problem}`;
    }
  }
  return undefined;
}

function conditionProblem(condition: RuleCondition): string | undefined {
  if (!RuleField[condition.field] || condition.field === RuleField.UNSPECIFIED) {
    return 'a condition needs a field';
  }
  if (!RuleOperator[condition.operator] || condition.operator === RuleOperator.UNSPECIFIED) {
    return 'a condition needs an operator';
  }
  if (condition.values.length === 0) return 'a condition needs at least one value';
  for (const value of condition.values) {
    if (condition.operator === RuleOperator.MATCHES_ANY) {
      try {
        new RegExp(value, 'iu');
      } catch (error) {
        return `the pattern ${value} does not compile: ${(error as Error).message}`;
      }
    }
    if (condition.operator === RuleOperator.WITHIN_ANY && !TIME_RANGE.test(value)) {
      return `the time range "${value}" is not HH:MM-HH:MM`;
    }
  }
  if (condition.field === RuleField.LOCAL_TIME && condition.key) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: condition.key });
    } catch {
      return `the time zone ${condition.key} is unknown`;
    }
  }
  return undefined;
}

function holds(condition: RuleCondition, input: ClassificationInput): boolean {
  const candidates = fieldValues(condition, input);
  const matches = candidates.some((candidate) =>
    condition.values.some((value) => compare(condition.operator, candidate, value)),
  );
  return condition.negate ? !matches : matches;
}

/** The field's values as text; several for tags (the condition holds when any matches). */
function fieldValues(condition: RuleCondition, input: ClassificationInput): string[] {
  switch (condition.field) {
    case RuleField.CHANNEL:
      return [`CHANNEL_${Channel[input.channel]}`];
    case RuleField.FORM_TOPIC:
      return input.formTopic === undefined ? [] : [input.formTopic];
    case RuleField.FORM_FIELD:
      return optional(input.formFields[condition.key]);
    case RuleField.LANGUAGE:
      return [input.language];
    case RuleField.TEXT:
      return [`${input.subject}\n${input.textBody}`];
    case RuleField.SENDER:
      return [input.senderValue];
    case RuleField.CUSTOMER_TIER:
      return [input.customerTier];
    case RuleField.CHANNEL_METADATA:
      return optional(input.channelMetadata[condition.key]);
    case RuleField.CUSTOMER_TAG:
      return input.customerTags;
    case RuleField.LOCAL_TIME:
      return [localTimeOfDay(condition.key || 'UTC', input.receivedAt)];
    default:
      throw new Error(`classification rule has an unknown field ${condition.field}`);
  }
}

function optional(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}

function compare(operator: RuleOperator, field: string, value: string): boolean {
  switch (operator) {
    case RuleOperator.EQUALS_ANY:
      return field.toLowerCase() === value.toLowerCase();
    case RuleOperator.CONTAINS_ANY:
      return cached(`w:${value}`, () => wholePhrase(value)).test(field);
    case RuleOperator.ENDS_WITH_ANY:
      return field.toLowerCase().endsWith(value.toLowerCase());
    case RuleOperator.MATCHES_ANY:
      return cached(`r:${value}`, () => new RegExp(value, 'iu')).test(field);
    case RuleOperator.WITHIN_ANY:
      return withinRange(field, value);
    default:
      throw new Error(`classification rule has an unknown operator ${operator}`);
  }
}

/** Compiled patterns by value: the same few rules run on every message. */
const patterns = new Map<string, RegExp>();

function cached(key: string, compile: () => RegExp): RegExp {
  let pattern = patterns.get(key);
  if (!pattern) {
    pattern = compile();
    patterns.set(key, pattern);
  }
  return pattern;
}

/** A keyword or phrase as a whole word in any script: "bill" must not match "billing". */
function wholePhrase(phrase: string): RegExp {
  const escaped = phrase.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu');
}

/** "HH:MM" of the local time at `at`. */
function localTimeOfDay(timeZone: string, at: Date): string {
  return new Date(utcToLocal(timeZone, at.getTime())).toISOString().slice(11, 16);
}

const TIME_RANGE = /^\s*(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/;

/** Whether "HH:MM" lies in "HH:MM-HH:MM", start included, end excluded, maybe past midnight. */
function withinRange(time: string, range: string): boolean {
  const match = TIME_RANGE.exec(range);
  if (!match) throw new Error(`classification rule has a malformed time range "${range}"`);
  const [, from, to] = match;
  return from <= to ? time >= from && time < to : time >= from || time < to;
}
