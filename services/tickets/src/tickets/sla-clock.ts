import { resumedResolutionDueAt, type BusinessCalendar } from '@firstline/routing';
import { withDueTimes, type Ticket } from './ticket';

/** True when a status change stops or restarts the ticket's SLA clock. */
export function movesSlaClock(before: Pick<Ticket, 'status'>, after: Pick<Ticket, 'status'>) {
  return (before.status === 'pending') !== (after.status === 'pending');
}

/**
 * The SLA clock stands still while a ticket waits on the customer: entering pending notes when,
 * leaving it moves the resolution due time on by the business time spent pending (in the team's
 * calendar). The queue's due and yellow times follow.
 */
export function withSlaClock(
  before: Pick<Ticket, 'status' | 'pendingSince'>,
  after: Ticket,
  at: Date,
  calendar: BusinessCalendar,
): Ticket {
  if (after.status === 'pending' && before.status !== 'pending') {
    return withDueTimes({ ...after, pendingSince: at });
  }
  if (before.status !== 'pending' || after.status === 'pending' || !before.pendingSince) {
    return withDueTimes(after);
  }
  const resolutionDueAt = resumedResolutionDueAt(
    calendar,
    after.resolutionDueAt,
    before.pendingSince,
    at,
  );
  return withDueTimes({ ...after, resolutionDueAt, pendingSince: null });
}
