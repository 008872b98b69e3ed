// The rules page's work that needs no browser: a rule from the "add a rule" form, the draft with
// it put first, and the preview's teams in the order an admin reads them.

import type { Checked, Problem } from './admin-logic.js';

/** What a rule's condition looks at, as the form offers it (directory.proto's RuleField). */
export const RULE_FIELDS = [
  'RULE_FIELD_TEXT',
  'RULE_FIELD_FORM_TOPIC',
  'RULE_FIELD_CHANNEL',
  'RULE_FIELD_LANGUAGE',
  'RULE_FIELD_CUSTOMER_TIER',
  'RULE_FIELD_CUSTOMER_TAG',
  'RULE_FIELD_SENDER',
] as const;

export const RULE_OPERATORS = [
  'RULE_OPERATOR_CONTAINS_ANY',
  'RULE_OPERATOR_EQUALS_ANY',
  'RULE_OPERATOR_ENDS_WITH_ANY',
  'RULE_OPERATOR_MATCHES_ANY',
] as const;

export interface RuleDraftForm {
  id: string;
  name: string;
  field: string;
  operator: string;
  /** Comma-separated, as typed. */
  values: string;
  teamId: string;
}

export interface RuleJson {
  id: string;
  name?: string;
  conditions: Array<{ field: string; operator: string; values: string[] }>;
  actions: { teamId: string; skillIds: string[] };
}

export type RuleSetJson = Record<string, unknown> & { rules?: unknown[] };

/** The rule the form describes, or the first thing to correct. */
export function checkRule(form: RuleDraftForm, existingIds: string[]): Checked<RuleJson> {
  const fail = (key: string, values?: Problem['values']): Checked<RuleJson> => ({
    ok: false,
    problem: { key: `rules.problem.${key}`, values },
  });
  const id = form.id.trim();
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) return fail('id');
  if (existingIds.includes(id)) return fail('idTaken', { id });
  const values = form.values
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (values.length === 0) return fail('values');
  if (!form.teamId) return fail('team');
  return {
    ok: true,
    value: {
      id,
      ...(form.name.trim() ? { name: form.name.trim() } : {}),
      conditions: [{ field: form.field, operator: form.operator, values }],
      actions: { teamId: form.teamId, skillIds: [] },
    },
  };
}

/** The ids of a rule set's rules, as JSON that may have been typed by hand. */
export function ruleIds(ruleSet: RuleSetJson): string[] {
  return (ruleSet.rules ?? []).flatMap((rule) =>
    rule && typeof rule === 'object' && typeof (rule as { id?: unknown }).id === 'string'
      ? [(rule as { id: string }).id]
      : [],
  );
}

/** The rule set with the rule tried first: a new rule is usually an exception to the others. */
export function withRuleFirst(ruleSet: RuleSetJson, rule: RuleJson): RuleSetJson {
  return { ...ruleSet, rules: [rule, ...(ruleSet.rules ?? [])] };
}

/** Teams that gain or lose messages first, the largest change first, then the unchanged. */
export function byChange<T extends { teamId: string; live: number; draft: number }>(
  teams: T[],
): T[] {
  return [...teams].sort(
    (a, b) =>
      Math.abs(b.draft - b.live) - Math.abs(a.draft - a.live) || a.teamId.localeCompare(b.teamId),
  );
}

/** "+3", "−2" or "0": a team's change in messages, signed. */
export function signedChange(live: number, draft: number): string {
  const change = draft - live;
  return change > 0 ? `+${change}` : change < 0 ? `−${-change}` : '0';
}
