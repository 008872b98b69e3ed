import {
  CallbackOutcome,
  IdentityKind,
  timestampDate,
  timestampFromDate,
  type InboundMessage,
} from '@firstline/contracts';
import type { EventDetails } from './ticket-events';

/**
 * Callback requests: a customer who asked to be called within a window (a web callback form)
 * gets a task the agent works from a card, not a line of text to read the time out of. Plain
 * functions over the task, so the tickets service only loads, calls and stores.
 */

/** What an agent records on a callback card. */
export const CALLBACK_ACTIONS = ['called', 'no-answer', 'other-channel'] as const;
export type CallbackAction = (typeof CALLBACK_ACTIONS)[number];

export interface CallbackTask {
  id: string;
  ticketId: string;
  /** The number to call, as the customer gave it (E.164 from the web form). */
  phone: string;
  windowStartsAt: Date;
  /** The end of the window the customer asked for: the promise the KPIs hold the call to. */
  windowEndsAt: Date;
  /** When the next call is due: the window's end, or the time set after nobody answered. */
  dueAt: Date;
  /** Calls made so far. */
  attempts: number;
  /** What was recorded last; null until the first call. */
  lastAction: CallbackAction | null;
  /** When the callback was done (the customer reached); null while it is open. */
  doneAt: Date | null;
  doneBy: string | null;
}

/** The callback a message asks for, or undefined when it asks for none. */
export function callbackRequested(
  message: Pick<InboundMessage, 'callbackWindow' | 'sender' | 'sharedIdentities' | 'formFields'>,
): Pick<CallbackTask, 'phone' | 'windowStartsAt' | 'windowEndsAt' | 'dueAt'> | undefined {
  const window = message.callbackWindow;
  if (!window?.startsAt || !window.endsAt) return undefined;
  const phones = [message.sender, ...message.sharedIdentities].filter(
    (identity) =>
      identity?.kind === IdentityKind.PHONE || identity?.kind === IdentityKind.WEBFORM_PHONE,
  );
  const windowEndsAt = timestampDate(window.endsAt);
  return {
    phone: phones[0]?.value ?? message.formFields.phone ?? '',
    windowStartsAt: timestampDate(window.startsAt),
    windowEndsAt,
    dueAt: windowEndsAt,
  };
}

const WIRE_OUTCOME: Record<CallbackAction, CallbackOutcome> = {
  called: CallbackOutcome.CALLED,
  'no-answer': CallbackOutcome.NO_ANSWER,
  'other-channel': CallbackOutcome.REACHED_OTHER_CHANNEL,
};

export type CallbackChange =
  { ok: true; task: CallbackTask; event: EventDetails } | { ok: false; reason: string };

/**
 * Records what came of a callback at `at`: a call that reached the customer, or their being
 * reached another way, closes it; a call nobody answered keeps it open, due again at `retryAt`,
 * which must lie ahead. Only calls count as attempts.
 */
export function recordCallback(
  task: CallbackTask,
  action: CallbackAction,
  agentId: string,
  at: Date,
  retryAt?: Date,
): CallbackChange {
  if (task.doneAt) return { ok: false, reason: 'the callback is already done' };
  const attempts = action === 'other-channel' ? task.attempts : task.attempts + 1;
  let next: CallbackTask;
  if (action === 'no-answer') {
    if (!retryAt) return { ok: false, reason: 'no answer needs a time to try again' };
    if (retryAt.getTime() <= at.getTime()) {
      return { ok: false, reason: 'the time to try again must be in the future' };
    }
    next = { ...task, attempts, lastAction: action, dueAt: retryAt };
  } else {
    next = { ...task, attempts, lastAction: action, doneAt: at, doneBy: agentId };
  }
  return {
    ok: true,
    task: next,
    event: {
      case: 'callbackAttempted',
      value: {
        $typeName: 'firstline.v1.CallbackAttempted',
        callbackId: task.id,
        outcome: WIRE_OUTCOME[action],
        retryAt: action === 'no-answer' && retryAt ? timestampFromDate(retryAt) : undefined,
        attempts,
        onTime: next.doneAt !== null && isOnTime(next),
      },
    },
  };
}

/** Done by the end of the window the customer asked for. */
export function isOnTime(task: Pick<CallbackTask, 'doneAt' | 'windowEndsAt'>): boolean {
  return task.doneAt !== null && task.doneAt.getTime() <= task.windowEndsAt.getTime();
}
