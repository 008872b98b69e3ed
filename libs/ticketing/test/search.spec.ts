import {
  highlightFragments,
  highlightWithin,
  rankSearchHits,
  readSearchQuery,
  type SearchHit,
} from '../src';

describe('reading what an agent typed into the search box', () => {
  it.each`
    typed                      | reading
    ${'#10001'}                | ${{ ticketNumber: '10001', accountId: undefined, words: '' }}
    ${'#010001'}               | ${{ ticketNumber: '10001' }}
    ${'10001'}                 | ${{ ticketNumber: '10001', accountId: '10001' }}
    ${' Ann@Example.COM '}     | ${{ email: 'ann@example.com' }}
    ${'ann@exa'}               | ${{ email: 'ann@exa' }}
    ${'+7 (912) 345-67-89'}    | ${{ phoneDigits: '79123456789', ticketNumber: undefined }}
    ${'8 912 345-67-89'}       | ${{ phoneDigits: '89123456789' }}
    ${'912 345 67 89'}         | ${{ phoneDigits: '9123456789' }}
    ${'0049 151 12345678'}     | ${{ phoneDigits: '4915112345678' }}
    ${'12-34'}                 | ${{ phoneDigits: undefined }}
    ${'@Cleo_Support'}         | ${{ telegramUsername: 'cleo_support', email: undefined }}
    ${'id1234567'}             | ${{ accountId: '1234567', ticketNumber: undefined }}
    ${'https://vk.com/id1234'} | ${{ accountId: '1234' }}
    ${'ok.ru/profile/5678901'} | ${{ accountId: '5678901' }}
  `('"$typed" names $reading', ({ typed, reading }) => {
    const query = readSearchQuery(typed as string);
    for (const [key, value] of Object.entries(reading as object)) {
      expect(query[key as keyof typeof query]).toEqual(value);
    }
  });

  it('searches every query as words, and its words as the starts of names', () => {
    expect(readSearchQuery('  Анна Смирнова, refund ')).toEqual({
      words: 'Анна Смирнова, refund',
      namePrefixes: ['анна', 'смирнова', 'refund'],
    });
  });

  it('takes no number-only word for a name', () => {
    expect(readSearchQuery('order 123').namePrefixes).toEqual(['order']);
  });
});

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const hit = (ticketId: string, part: Partial<SearchHit>): SearchHit => ({
  ticketId,
  match: 'text',
  exact: false,
  rank: 0,
  updatedAt: at(0),
  ...part,
});

describe('ranking search hits', () => {
  it('puts the ticket named by its number first, then whole identities, then parts, then words', () => {
    const ranked = rankSearchHits(
      [
        hit('words', { rank: 0.9, updatedAt: at(9) }),
        hit('name', { match: 'name', updatedAt: at(8) }),
        hit('phone-end', { match: 'phone', updatedAt: at(7) }),
        hit('email', { match: 'email', exact: true }),
        hit('number', { match: 'number', exact: true }),
      ],
      10,
    );
    expect(ranked.map((h) => h.ticketId)).toEqual([
      'number',
      'email',
      'phone-end',
      'name',
      'words',
    ]);
  });

  it('orders word hits by their rank, and equal ones newest first', () => {
    const ranked = rankSearchHits(
      [
        hit('weak', { rank: 0.1, updatedAt: at(5) }),
        hit('older', { rank: 0.5, updatedAt: at(1) }),
        hit('newer', { rank: 0.5, updatedAt: at(2) }),
      ],
      10,
    );
    expect(ranked.map((h) => h.ticketId)).toEqual(['newer', 'older', 'weak']);
  });

  it('lists a ticket found several ways once, by its best hit, up to the limit', () => {
    const ranked = rankSearchHits(
      [
        hit('a', { rank: 0.2, messageId: 'm1' }),
        hit('a', { match: 'email', exact: true }),
        hit('b', { rank: 0.1 }),
        hit('c', { rank: 0.05 }),
      ],
      2,
    );
    expect(ranked).toEqual([
      expect.objectContaining({ ticketId: 'a', match: 'email' }),
      expect.objectContaining({ ticketId: 'b' }),
    ]);
  });
});

describe('highlights', () => {
  it('splits a headline at its markers into plain-text fragments', () => {
    expect(
      highlightFragments(
        'asks for a \u0001refund\u0002 of <b>\u0001refunds\u0002',
        '\u0001',
        '\u0002',
      ),
    ).toEqual([
      { text: 'asks for a ', match: false },
      { text: 'refund', match: true },
      { text: ' of <b>', match: false },
      { text: 'refunds', match: true },
    ]);
  });

  it('marks the part of a value that was found, in any letter case', () => {
    expect(highlightWithin('+79123456789', '9123456789')).toEqual([
      { text: '+7', match: false },
      { text: '9123456789', match: true },
    ]);
    expect(highlightWithin('Ann@Example.com', 'ann@ex')).toEqual([
      { text: 'Ann@Ex', match: true },
      { text: 'ample.com', match: false },
    ]);
  });
});
