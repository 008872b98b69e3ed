import {
  messageIds,
  ownMessageId,
  parseOwnMessageId,
  repliedMessageIds,
  resolveThread,
  tagSubject,
} from '../src';

describe('threading', () => {
  it('reads Message-IDs from headers, brackets or not, in order and once each', () => {
    expect(messageIds('<a@x> <b@y>\r\n <a@x>')).toEqual(['a@x', 'b@y']);
    expect(messageIds('bare@id')).toEqual(['bare@id']);
    expect(messageIds(undefined)).toEqual([]);
  });

  it('our Message-IDs round-trip their outbound id and ticket number, and only for our domain', () => {
    const id = ownMessageId('a/b c:ü', '1234', 'firstline.test');
    expect(parseOwnMessageId(id, 'FIRSTLINE.test')).toEqual({
      outboundId: 'a/b c:ü',
      ticketNumber: '1234',
    });
    expect(parseOwnMessageId(id, 'other.test')).toBeUndefined();
    expect(parseOwnMessageId('CAB-1@mail.gmail.com')).toBeUndefined();
  });

  it('a reply joins the conversation of the first message of its thread', () => {
    const thread = resolveThread({
      messageId: 'c',
      inReplyTo: ['b'],
      references: ['a', 'b'],
      subject: 'Re: x',
    });
    expect(thread).toEqual({ conversationKey: 'email:a' });
  });

  it('a reference to our message names its ticket, even under a changed subject', () => {
    const ours = ownMessageId('out-1', '77', 'firstline.test');
    const thread = resolveThread(
      { messageId: 'c', inReplyTo: [ours], references: [], subject: 'something else' },
      'firstline.test',
    );
    expect(thread).toEqual({ conversationKey: `email:${ours}`, ticketNumber: '77' });
  });

  it('a new subject starts a new conversation; its [#N] tag is only a hint', () => {
    expect(
      resolveThread({ messageId: 'n', inReplyTo: [], references: [], subject: 'Again [#5]' }),
    ).toEqual({
      conversationKey: 'email:n',
      ticketNumber: '5',
    });
  });

  it('tags a subject with its ticket number once', () => {
    expect(tagSubject('Re: Help', '5')).toBe('Re: Help [#5]');
    expect(tagSubject('Re: Help [#5]', '5')).toBe('Re: Help [#5]');
    expect(tagSubject('Help', '')).toBe('Help');
  });

  it.each<[string, string[], string[], string[]]>([
    ['a first mail answers nothing', [], [], []],
    [
      'a client that keeps only In-Reply-To still names our mail',
      ['fl.10001.b3V0@firstline.test'],
      [],
      ['email:fl.10001.b3V0@firstline.test'],
    ],
    [
      'the parent first, then References from the newest back to the root, each once',
      ['r2@us'],
      ['m1@them', 'r1@us', 'r2@us'],
      ['email:r2@us', 'email:r1@us', 'email:m1@them'],
    ],
  ])(
    'names the mails a reply answers as the router knows them: %s',
    (_case, inReplyTo, refs, ids) => {
      expect(repliedMessageIds(inReplyTo, refs)).toEqual(ids);
    },
  );
});
