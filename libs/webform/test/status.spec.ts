import { Channel, IdentityKind } from '@firstline/contracts';
import { firstNameOf, stageLabel, stageOf, submissionMessage } from '../src';

describe('the stage a customer sees', () => {
  it.each([
    [{}, 'received'],
    [{ ticketNumber: '10234' }, 'queued'],
    [{ ticketNumber: '10234', status: 'open', agentId: 'ann' }, 'in_progress'],
    [{ ticketNumber: '10234', status: 'pending', agentId: 'ann' }, 'waiting_for_you'],
    [{ ticketNumber: '10234', status: 'resolved', agentId: 'ann' }, 'resolved'],
    [{ ticketNumber: '10234', status: 'closed' }, 'closed'],
  ])('%j → %s', (ticket, stage) => {
    expect(stageOf(ticket)).toBe(stage);
  });

  it('is named in the customer’s language, in the directory’s words when an admin set them', () => {
    expect(stageLabel('resolved', 'ru')).toBe('Решено');
    expect(stageLabel('resolved', 'en')).toBe('Resolved');
    expect(stageLabel('resolved', 'ru', { ru: { stageResolved: 'Готово' } })).toBe('Готово');
    expect(stageLabel('queued', 'ru', { ru: { stageResolved: 'Готово' } })).toBe(
      'Ожидает специалиста',
    );
  });

  it('names the agent by first name only', () => {
    expect(firstNameOf('Ann  First')).toBe('Ann');
  });
});

describe('a submission as an inbound message', () => {
  it('is keyed by the client’s key and the status token', () => {
    const message = submissionMessage(
      {
        formId: 'callback',
        name: 'Cleo',
        phone: '+79123456789',
        message: '',
        fields: {},
        callbackWindow: {
          startsAt: new Date('2026-11-23T12:00:00Z'),
          endsAt: new Date('2026-11-23T14:00:00Z'),
        },
      },
      {
        idempotencyKey: 'k-12345678',
        statusToken: 'token',
        formTitle: 'Request a call back',
        receivedAt: new Date('2026-11-23T11:00:00Z'),
        attachments: [],
        locale: 'en',
      },
    );
    expect(message).toMatchObject({
      messageId: 'webform:k-12345678',
      channel: Channel.WEBFORM,
      sender: { kind: IdentityKind.WEBFORM_PHONE, value: '+79123456789', displayName: 'Cleo' },
      conversationKey: 'webform:token',
      issuedLinkToken: 'token',
      subject: 'Request a call back: +79123456789',
      textBody:
        'Call back +79123456789 between 2026-11-23T12:00:00.000Z and 2026-11-23T14:00:00.000Z.',
      formFields: { form_id: 'callback', name: 'Cleo', phone: '+79123456789' },
    });
    expect(message.callbackWindow?.endsAt?.seconds).toBe(
      BigInt(Date.parse('2026-11-23T14:00:00Z') / 1000),
    );
  });
});
