import { Channel, create, IdentityKind, OutboundMessageSchema } from '@firstline/contracts';
import {
  ratingMessage,
  readRating,
  readTranscriptAddress,
  renderReply,
  transcriptMail,
  transcriptText,
  type TranscriptLine,
} from '../src';

const visitorId = '3f2b8c1e-7d4a-4e2f-9b6c-0a1d2e3f4a5b';
const ticket = { ticketId: 'tk-1', ticketNumber: '10234' };
const at = new Date('2026-03-02T10:15:00Z');

describe('the survey at the end of a chat', () => {
  it('is a reply that names the ticket it asks about', () => {
    const survey = renderReply(
      create(OutboundMessageSchema, {
        outboundId: 'o-1',
        ticketId: 'tk-1',
        ticketNumber: '10234',
        conversationKey: `chat:${visitorId}`,
        textBody: 'The chat has ended. How satisfied are you with our help?',
        automatic: true,
        csatSurvey: true,
      }),
    );
    expect(survey.survey).toEqual(ticket);
  });

  it('is not on an ordinary reply', () => {
    const reply = renderReply(
      create(OutboundMessageSchema, {
        outboundId: 'o-2',
        ticketId: 'tk-1',
        conversationKey: `chat:${visitorId}`,
        textBody: 'Hello',
      }),
    );
    expect(reply.survey).toBeUndefined();
  });
});

describe('a rating', () => {
  it.each`
    body                                       | read
    ${{ score: 5 }}                            | ${{ score: 5, comment: '' }}
    ${{ score: 2, comment: ' slow ' }}         | ${{ score: 2, comment: 'slow' }}
    ${{ score: 0 }}                            | ${'score must be a whole number from 1 to 5'}
    ${{ score: 6 }}                            | ${'score must be a whole number from 1 to 5'}
    ${{ score: 4.5 }}                          | ${'score must be a whole number from 1 to 5'}
    ${{ score: '5' }}                          | ${'score must be a whole number from 1 to 5'}
    ${{ score: 3, comment: 7 }}                | ${'comment must be text'}
    ${{ score: 3, comment: 'x'.repeat(2001) }} | ${'comment holds at most 2000 characters'}
    ${null}                                    | ${'score must be a whole number from 1 to 5'}
  `('$body reads as $read', ({ body, read }) => {
    expect(readRating(body)).toEqual(read);
  });

  it('is a survey answer on the rated ticket from the visitor, the same id however often sent', () => {
    const message = ratingMessage(visitorId, 7, ticket, { score: 4, comment: 'ok' }, 'ru', at);
    expect(message).toMatchObject({
      messageId: `chat:${visitorId}:rating-7`,
      channel: Channel.CHAT,
      sender: { kind: IdentityKind.CHAT_VISITOR, value: visitorId },
      conversationKey: `chat:${visitorId}`,
      csatAnswer: { ticketId: 'tk-1', score: 4, comment: 'ok' },
      language: 'ru',
    });
    expect(ratingMessage(visitorId, 7, ticket, { score: 1, comment: '' }, 'en', at).messageId).toBe(
      message.messageId,
    );
  });
});

describe('the transcript', () => {
  const lines: TranscriptLine[] = [
    { from: 'visitor', author: '', text: 'Where is order 1187?', at },
    {
      from: 'agent',
      author: 'Ann from Support',
      text: 'On its way.',
      at: new Date('2026-03-02T10:16:30Z'),
    },
  ];

  it('names who wrote each message and when, in the visitor’s language', () => {
    expect(transcriptText(lines, 'en')).toBe(
      'You, 2026-03-02 10:15 UTC:\nWhere is order 1187?\n\n' +
        'Ann from Support, 2026-03-02 10:16 UTC:\nOn its way.',
    );
    expect(transcriptText(lines, 'ru')).toMatch(/^Вы, 2026-03-02 10:15 UTC:/);
  });

  it('is an automatic mail to the given address, one per chat', () => {
    const mail = transcriptMail(visitorId, 9, ticket, 'ann@shop.example', lines, 'en', at);
    expect(mail).toMatchObject({
      channel: Channel.EMAIL,
      recipient: { kind: IdentityKind.EMAIL, value: 'ann@shop.example' },
      ticketNumber: '10234',
      subject: 'Your chat with Support',
      automatic: true,
    });
    expect(mail.textBody).toContain('On its way.');
    const again = transcriptMail(visitorId, 9, ticket, 'bob@shop.example', lines, 'en', at);
    expect(again.outboundId).toBe(mail.outboundId);
    expect(
      transcriptMail(visitorId, 10, ticket, 'ann@shop.example', lines, 'en', at).outboundId,
    ).not.toBe(mail.outboundId);
  });

  it.each`
    email                   | read
    ${'ann@shop.example'}   | ${'ann@shop.example'}
    ${' ann@shop.example '} | ${'ann@shop.example'}
    ${'ann'}                | ${{ problem: 'email must be an email address' }}
    ${'ann@shop'}           | ${{ problem: 'email must be an email address' }}
    ${'a b@shop.example'}   | ${{ problem: 'email must be an email address' }}
    ${undefined}            | ${{ problem: 'email must be an email address' }}
  `('the address $email reads as $read', ({ email, read }) => {
    expect(readTranscriptAddress({ email })).toEqual(read);
  });
});
