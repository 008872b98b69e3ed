import { firstName, renderCannedReply } from '../src';

const context = {
  customer: { name: 'Ann Smith' },
  agent: { name: 'Boris  Ivanov' },
  ticket: { number: '10234' },
};

describe('canned replies', () => {
  it.each`
    body                                                 | text
    ${'Hi {{customer.firstName}},'}                      | ${'Hi Ann,'}
    ${'Dear {{ customer.name }}'}                        | ${'Dear Ann Smith'}
    ${'Ticket #{{ticket.number}} — {{agent.firstName}}'} | ${'Ticket #10234 — Boris'}
    ${'{{agent.name}}'}                                  | ${'Boris  Ivanov'}
    ${'no placeholders'}                                 | ${'no placeholders'}
  `('renders "$body" as "$text"', ({ body, text }) => {
    expect(renderCannedReply(body, context)).toEqual({ text, unknown: [] });
  });

  it('leaves unknown placeholders in place and names them', () => {
    expect(renderCannedReply('Hi {{customer.tier}}', context)).toEqual({
      text: 'Hi {{customer.tier}}',
      unknown: ['customer.tier'],
    });
  });

  it.each`
    name           | first
    ${'Ann Smith'} | ${'Ann'}
    ${'  Ann  '}   | ${'Ann'}
    ${''}          | ${''}
  `('the first name of "$name" is "$first"', ({ name, first }) => {
    expect(firstName(name)).toBe(first);
  });
});
