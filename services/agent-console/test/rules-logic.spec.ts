import {
  byChange,
  checkRule,
  ruleIds,
  signedChange,
  withRuleFirst,
  type RuleDraftForm,
} from '../web/rules-logic';

const form = (changes: Partial<RuleDraftForm> = {}): RuleDraftForm => ({
  id: 'parcels',
  name: 'Parcels go to the warehouse desk',
  field: 'RULE_FIELD_TEXT',
  operator: 'RULE_OPERATOR_CONTAINS_ANY',
  values: 'parcel, посылка ,',
  teamId: 'technical',
  ...changes,
});

describe('the "add a rule" form', () => {
  it('makes one condition from the comma-separated values, sending to the chosen team', () => {
    expect(checkRule(form(), ['billing-topic'])).toEqual({
      ok: true,
      value: {
        id: 'parcels',
        name: 'Parcels go to the warehouse desk',
        conditions: [
          {
            field: 'RULE_FIELD_TEXT',
            operator: 'RULE_OPERATOR_CONTAINS_ANY',
            values: ['parcel', 'посылка'],
          },
        ],
        actions: { teamId: 'technical', skillIds: [] },
      },
    });
  });

  it.each([
    [{ id: 'two words' }, 'rules.problem.id'],
    [{ id: 'billing-topic' }, 'rules.problem.idTaken'],
    [{ values: ' , ' }, 'rules.problem.values'],
    [{ teamId: '' }, 'rules.problem.team'],
  ])('refuses %j with %s', (changes, key) => {
    const checked = checkRule(form(changes), ['billing-topic']);
    expect(checked.ok ? undefined : checked.problem.key).toBe(key);
  });
});

describe('the draft', () => {
  it('tries a new rule before the others', () => {
    const added = checkRule(form(), []);
    if (!added.ok) throw new Error('the form is fine');
    const draft = withRuleFirst({ rules: [{ id: 'billing-topic' }], fallback: {} }, added.value);
    expect(ruleIds(draft)).toEqual(['parcels', 'billing-topic']);
    expect(draft.fallback).toEqual({});
  });

  it('reads the ids of rules typed by hand, passing over what is not a rule', () => {
    expect(ruleIds({ rules: [{ id: 'a' }, 'junk', { name: 'no id' }] })).toEqual(['a']);
    expect(ruleIds({})).toEqual([]);
  });
});

describe("the preview's teams", () => {
  it('lists the largest change first, unchanged teams last by id', () => {
    const teams = [
      { teamId: 'first-line', live: 3, draft: 1 },
      { teamId: 'billing', live: 2, draft: 2 },
      { teamId: 'technical', live: 0, draft: 3 },
      { teamId: 'archive', live: 1, draft: 1 },
    ];
    expect(byChange(teams).map((team) => team.teamId)).toEqual([
      'technical',
      'first-line',
      'archive',
      'billing',
    ]);
  });

  it('signs the change', () => {
    expect([signedChange(0, 3), signedChange(3, 1), signedChange(2, 2)]).toEqual(['+3', '−2', '0']);
  });
});
