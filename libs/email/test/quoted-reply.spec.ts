import { extractReply, MAX_REPLY_SOURCE_CHARS } from '../src';

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
    [
      'Gmail, attribution wrapped over three lines',
      'Thanks!\n\nOn Mon, 4 Mar 2024 at 10:00, Ann\n<ann@example.com>\nwrote:\n\n> Hi',
    ],
    ['Thunderbird in German, without "Am"', 'Thanks!\n\nAnn <ann@example.com> schrieb:\n\nHi'],
    [
      'Mail.ru',
      'Thanks!\n\nMonday, 4 March 2024, 10:00 +03:00 from ann@example.ru <ann@example.ru>:\n\nHi',
    ],
    ['Zimbra', 'Thanks!\n\n- Le 2024-03-04 10:00, Ann a écrit :\n> Hi'],
    ['Android', 'Thanks!\n\n---- Ann wrote ----\n\n> Hi'],
    [
      'Outlook in Chinese',
      'Thanks!\n\n发件人: Ann <ann@example.com>\n发送时间: 2024年3月4日 10:00\n\nHi',
    ],
    [
      'Outlook in Danish',
      'Thanks!\n\nFra: Ann <ann@example.com>\nSendt: 4. marts 2024 10:00\n\nHi',
    ],
    [
      'Outlook, bold labels',
      'Thanks!\n\n*From:* Ann [mailto:ann@example.com]\n*Sent:* Monday\n\nHi',
    ],
    [
      'a signature below the quote',
      'Thanks!\n\nOn 04.03.24 10:00, Ann wrote:\n> Hi\n\n-- \nAnn Smith',
    ],
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

  it.each([
    [
      'a reply below the quote',
      'On 04.03.24 10:00, Ann wrote:\n> Which printer?\n\nThe one on floor 2.',
    ],
    [
      'a reply right under the quote',
      'On 04.03.24 10:00, Ann wrote:\n> Which printer?\nThe one on floor 2.',
    ],
  ])('%s is the reply, without the quote', (_case, text) => {
    expect(extractReply(text)).toBe('The one on floor 2.');
  });

  it('a reply around one quoted message keeps both of its parts', () => {
    const text = 'Hello,\n\nOn 04.03.24 10:00, Ann wrote:\n> Which printer?\n\nThe one on floor 2.';
    expect(extractReply(text)).toBe('Hello,\n\nThe one on floor 2.');
  });

  it('answers to several quoted passages keep the passages, and drop the history below', () => {
    const text =
      'On 04.03.24 10:00, Ann wrote:\n> Which printer?\n\nFloor 2.\n\n> Since when?\n\nMonday.\n\n> Older history';
    expect(extractReply(text)).toBe(
      'On 04.03.24 10:00, Ann wrote:\n> Which printer?\n\nFloor 2.\n\n> Since when?\n\nMonday.',
    );
  });

  it('a quoted line the client wrapped without its ">" stays in the quote', () => {
    expect(extractReply('Thanks!\n\nOn 04.03.24 10:00, Ann wrote:\n> a long\nline\n> Hi')).toBe(
      'Thanks!',
    );
  });

  it('a forwarded message is kept whole: the customer sent it to be read', () => {
    const text =
      'FYI\n\n---------- Forwarded message ----------\nFrom: Bob <bob@example.com>\nDate: Monday\n\nHi';
    expect(extractReply(text)).toBe(text);
  });

  it('"Someone wrote:" without a date or an address is the customer\'s own sentence', () => {
    const text = 'Your colleague wrote:\nplease call back.\n\nThanks';
    expect(extractReply(text)).toBe(text);
  });

  it('a text far longer than any reply is searched only up to the cap', () => {
    const reply = extractReply(`${'a'.repeat(MAX_REPLY_SOURCE_CHARS)}\nmore`);
    expect(reply).toHaveLength(MAX_REPLY_SOURCE_CHARS);
  });
});
