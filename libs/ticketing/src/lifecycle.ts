/**
 * The ticket status lifecycle: new → open ⇄ pending → resolved → closed, driven by customer and
 * agent replies, agents' status changes and the passing of time.
 */
export type TicketStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';

export const TICKET_STATUSES: readonly TicketStatus[] = [
  'new',
  'open',
  'pending',
  'resolved',
  'closed',
];

export interface LifecyclePolicy {
  /** Resolved tickets close by themselves this long after resolution. */
  autoCloseAfterMs: number;
  /** A live chat in which neither side wrote for this long ends by itself. */
  chatInactivityMs: number;
}

/** The part of a ticket the lifecycle reads and changes. */
export interface TicketLifecycleState {
  status: TicketStatus;
  /** When the ticket was last resolved; unset unless resolved or closed. */
  resolvedAt: Date | null;
  reopenCount: number;
  /** The first agent reply (automatic messages do not count). */
  firstRespondedAt: Date | null;
}

/** The state after a step, and whether the step reopened the ticket. */
export interface LifecycleStep {
  state: TicketLifecycleState;
  reopened: boolean;
}

/**
 * A customer wrote: waiting for them is over, and a resolution was premature. The router has
 * already decided, by its reopen window, that the message continues this ticket (past the window
 * it starts a follow-up), so a resolved ticket reopens whenever a message reaches it.
 */
export function afterCustomerReply(state: TicketLifecycleState): LifecycleStep {
  if (state.status === 'pending') return { state: { ...state, status: 'open' }, reopened: false };
  if (state.status === 'resolved') {
    return {
      state: {
        ...state,
        status: 'open',
        resolvedAt: null,
        reopenCount: state.reopenCount + 1,
      },
      reopened: true,
    };
  }
  // new and open stay as they are; a closed ticket only keeps the message.
  return { state, reopened: false };
}

/** An agent answered the customer: the first answer starts work on a new ticket. */
export function afterAgentReply(state: TicketLifecycleState, at: Date): TicketLifecycleState {
  return {
    ...state,
    status: state.status === 'new' ? 'open' : state.status,
    firstRespondedAt: state.firstRespondedAt ?? at,
  };
}

export type StatusChange =
  { ok: true; state: TicketLifecycleState } | { ok: false; reason: string };

/** Statuses an agent may set from each status; `new` is only ever the start. */
const AGENT_TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'resolved'],
  open: ['pending', 'resolved'],
  pending: ['open', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** An agent sets the status; reopening a resolved ticket by hand counts as a reopen too. */
export function changeStatus(
  state: TicketLifecycleState,
  to: TicketStatus,
  at: Date,
): StatusChange {
  if (!AGENT_TRANSITIONS[state.status].includes(to)) {
    return { ok: false, reason: `a ${state.status} ticket cannot become ${to}` };
  }
  if (to === 'resolved') return { ok: true, state: { ...state, status: to, resolvedAt: at } };
  if (state.status === 'resolved' && to === 'open') {
    return {
      ok: true,
      state: { ...state, status: to, resolvedAt: null, reopenCount: state.reopenCount + 1 },
    };
  }
  return { ok: true, state: { ...state, status: to } };
}

/** Whether a resolved ticket has waited long enough to close by itself. */
export function isDueForAutoClose(
  state: TicketLifecycleState,
  now: Date,
  policy: LifecyclePolicy,
): boolean {
  return (
    state.status === 'resolved' &&
    state.resolvedAt !== null &&
    now.getTime() - state.resolvedAt.getTime() >= policy.autoCloseAfterMs
  );
}

/** What inactivity reads of a live chat. */
export interface ChatActivity {
  status: TicketStatus;
  /** Unset while the chat waits in its team's queue. */
  assigneeId: string | null;
  /** The newest message either side wrote (Firstline's own notices do not count). */
  lastMessageAt: Date;
}

/**
 * Whether a live chat has gone quiet long enough to end by itself. Only a chat an agent holds:
 * one waiting in the queue is waiting for us, and its wait is the SLA's to escalate, not a reason
 * to send the visitor away.
 */
export function isInactiveChat(chat: ChatActivity, now: Date, policy: LifecyclePolicy): boolean {
  return (
    (chat.status === 'new' || chat.status === 'open' || chat.status === 'pending') &&
    chat.assigneeId !== null &&
    now.getTime() - chat.lastMessageAt.getTime() >= policy.chatInactivityMs
  );
}
