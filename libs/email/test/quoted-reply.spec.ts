import { extractReply } from '../src';

describe('extractReply', () => {
  it.each([
    ['Gmail', 'Thanks!\n\nOn Mon, 4 Mar 2024 at 10:00, Ann <ann@example.com> wrote:\n> Hi'],
    [
      'Gmail, wrapped',
      'Thanks!\n\nOn Mon, 4 Mar 2024 at 10:00, Ann Smith <\nann@example.com> wrote:\n> Hi',
    ],
    ['Gmail in Russian', 'Thanks!\n\nпн, 4 мар. 2024 г. в 10:00, Анна <ann@example.com>:\n> Hi'],
    ['Apple Mail', 'Thanks!\n\n> On 4 Mar 2024, at 10:00, Ann <ann@example.com> wrote:\n>\n> Hi'],
    ['Thunderbird', 'Thanks!\n\nOn 04.03.24 10:00, Ann wrote:\n> Hi'],
    ['Thunderbird in German', 'Thanks!\n\nAm 04.03.24 um 10:00 schrieb Ann:\n> Hi'],
    ['Outlook', 'Thanks!\n\n-----Original Message-----\nFrom: Ann\nSent: Monday\n\nHi'],
    [
      'Outlook, underscores',
      'Thanks!\n\n________________________________\nFrom: Ann\nSent: Monday\nHi',
    ],
    [
      'Outlook header block',
      'Thanks!\n\nFrom: Ann <ann@example.com>\nSent: Monday, March 4, 2024 10:00\nTo: Support\nHi',
    ],
    [
      'Outlook in Russian',
      'Thanks!\n\nОт: Анна <ann@example.com>\nОтправлено: 4 марта 2024 г. 10:00\nКому: Support\nHi',
    ],
    [
      'Outlook in German',
      'Thanks!\n\nVon: Anna <ann@example.com>\nGesendet: Montag, 4. März 2024 10:00\nHi',
    ],
    ['a trailing quote', 'Thanks!\n\n> Hi\n> there'],
  ])('%s: only the new text remains', (_client, text) => {
    expect(extractReply(text)).toBe('Thanks!');
  });

  it('keeps answers written between quoted lines', () => {
    const text = '> Which printer?\nThe one on floor 2.\n> Since when?\nMonday.';
    expect(extractReply(text)).toBe(text);
  });

  it('keeps a mail that merely mentions "From:" in its text', () => {
    expect(extractReply('From: the warehouse, I think.\nPlease check.')).toBe(
      'From: the warehouse, I think.\nPlease check.',
    );
  });
});
