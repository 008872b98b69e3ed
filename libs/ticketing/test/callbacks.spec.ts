import {
  CallbackOutcome,
  Channel,
  create,
  IdentityKind,
  InboundMessageSchema,
  timestampDate,
  timestampFromDate,
} from '@firstline/contracts';
import { callbackRequested, recordCallback, type CallbackTask } from '../src';

const at = (time: string) => new Date(`2026-03-02T${time}:00Z`);

const task = (fields: Partial<CallbackTask> = {}): CallbackTask => ({
  id: 'cb-1',
  ticketId: 't-1',
  phone: '+4915112345678',
  windowStartsAt: at('14:00'),
  windowEndsAt: at('16:00'),
  dueAt: at('16:00'),
  attempts: 0,
  lastAction: null,
  doneAt: null,
  doneBy: null,
  ...fields,
});

describe('callbackRequested', () => {
  type Phone = [IdentityKind, string];
  const message = (sender: Phone, shared: Phone[] = [], windowed = true) =>
    create(InboundMessageSchema, {
      messageId: 'webform:1',
      channel: Channel.WEBFORM,
      sender: { kind: sender[0], value: sender[1] },
      sharedIdentities: shared.map(([kind, value]) => ({ kind, value })),
      callbackWindow: windowed
        ? { startsAt: timestampFromDate(at('14:00')), endsAt: timestampFromDate(at('16:00')) }
        : undefined,
    });

  it('is due at the end of the window, to the phone that sent it', () => {
    expect(callbackRequested(message([IdentityKind.WEBFORM_PHONE, '+4915112345678']))).toEqual({
      phone: '+4915112345678',
      windowStartsAt: at('14:00'),
      windowEndsAt: at('16:00'),
      dueAt: at('16:00'),
    });
  });

  it('takes the phone typed beside an email address', () => {
    expect(
      callbackRequested(
        message(
          [IdentityKind.WEBFORM_EMAIL, 'rita@example.com'],
          [[IdentityKind.WEBFORM_PHONE, '+74951234567']],
        ),
      )?.phone,
    ).toBe('+74951234567');
  });

  it('is nothing for a message without a window', () => {
    expect(
      callbackRequested(message([IdentityKind.WEBFORM_PHONE, '+4915112345678'], [], false)),
    ).toBeUndefined();
  });
});

describe('recordCallback', () => {
  it('closes the callback on a call that reached the customer, on time within the window', () => {
    const change = recordCallback(task(), 'called', 'ann', at('15:10'));
    expect(change).toMatchObject({
      ok: true,
      task: { attempts: 1, lastAction: 'called', doneAt: at('15:10'), doneBy: 'ann' },
      event: {
        case: 'callbackAttempted',
        value: { callbackId: 'cb-1', outcome: CallbackOutcome.CALLED, attempts: 1, onTime: true },
      },
    });
  });

  it('keeps it open after no answer, due again when the agent said to try', () => {
    const change = recordCallback(task(), 'no-answer', 'ann', at('15:00'), at('15:30'));
    expect(change).toMatchObject({
      ok: true,
      task: { attempts: 1, lastAction: 'no-answer', dueAt: at('15:30'), doneAt: null },
    });
    if (!change.ok || change.event.case !== 'callbackAttempted') throw new Error('no event');
    expect(change.event.value).toMatchObject({ outcome: CallbackOutcome.NO_ANSWER, onTime: false });
    expect(timestampDate(change.event.value.retryAt!)).toEqual(at('15:30'));
  });

  it('counts a callback done after the window as late, every call as an attempt', () => {
    const change = recordCallback(task({ attempts: 2 }), 'called', 'ann', at('16:20'));
    expect(change).toMatchObject({
      ok: true,
      task: { attempts: 3 },
      event: { value: { attempts: 3, onTime: false } },
    });
  });

  it('closes it without a call when the customer was reached another way', () => {
    expect(recordCallback(task(), 'other-channel', 'ann', at('14:30'))).toMatchObject({
      ok: true,
      task: { attempts: 0, doneAt: at('14:30') },
      event: { value: { outcome: CallbackOutcome.REACHED_OTHER_CHANNEL, onTime: true } },
    });
  });

  it.each<[string, CallbackTask, Parameters<typeof recordCallback>, string]>([
    [
      'a done callback',
      task({ doneAt: at('15:00') }),
      [task(), 'called', 'ann', at('15:10')],
      'the callback is already done',
    ],
    [
      'no answer without a time to try again',
      task(),
      [task(), 'no-answer', 'ann', at('15:10')],
      'no answer needs a time to try again',
    ],
    [
      'a time to try again in the past',
      task(),
      [task(), 'no-answer', 'ann', at('15:10'), at('15:00')],
      'the time to try again must be in the future',
    ],
  ])('refuses %s', (_, before, [, action, agent, when, retryAt], reason) => {
    expect(recordCallback(before, action, agent, when, retryAt)).toEqual({ ok: false, reason });
  });
});
