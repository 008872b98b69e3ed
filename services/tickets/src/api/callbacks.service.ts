import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import {
  isOnTime,
  recordCallback,
  type CallbackAction,
  type CallbackTask,
} from '@firstline/ticketing';
import type { SignedInAgent } from '../auth/auth.service';
import { CallbackRepository } from '../database/callback.repository';
import { TeamCalendars } from '../directory/team-calendars';
import { agentActor } from '../tickets/ticket-event-log';
import type { CallbackView, ListedCallbackView } from './supervision.dto';
import { TicketAccess } from './ticket-access';

/**
 * Callback tasks: the customer's request to be called, worked from a card. Agents see their
 * teams' callbacks (supervisors every team's); what came of a call is recorded on the ticket as a
 * CallbackAttempted event, under the ticket's lock like every change to it.
 */
@Injectable()
export class CallbackService {
  constructor(
    private readonly access: TicketAccess,
    private readonly callbacks: CallbackRepository,
    private readonly calendars: TeamCalendars,
  ) {}

  async list(
    agent: SignedInAgent,
    query: { status: 'open' | 'done'; limit: number },
  ): Promise<ListedCallbackView[]> {
    const [listed, calendarOf] = await Promise.all([
      this.callbacks.list({
        teamIds: agent.role === 'agent' ? agent.teamIds : undefined,
        done: query.status === 'done',
        limit: query.limit,
      }),
      this.calendars.load(),
    ]);
    return listed.map((callback) => ({
      ...callbackView(callback, calendarOf(callback.teamId).timeZone),
      ticketNumber: callback.ticketNumber,
      subject: callback.subject,
      teamId: callback.teamId,
      assigneeId: callback.assigneeId,
      customerName: callback.customerName,
    }));
  }

  async ofTicket(ticketId: string, agent: SignedInAgent): Promise<CallbackView[]> {
    const ticket = await this.access.read(ticketId, agent);
    const [tasks, calendarOf] = await Promise.all([
      this.callbacks.tasksOfTickets([ticket.id]),
      this.calendars.load(),
    ]);
    const timeZone = calendarOf(ticket.teamId).timeZone;
    return tasks.map((task) => callbackView(task, timeZone));
  }

  /** Records a call (or that none is needed any more); 409 once the callback is done. */
  async record(
    callbackId: string,
    agent: SignedInAgent,
    action: CallbackAction,
    retryAt?: Date,
  ): Promise<CallbackView> {
    const ticketId = await this.callbacks.ticketIdOf(callbackId);
    if (!ticketId) throw new NotFoundException(`No callback ${callbackId}`);
    const { task, teamId } = await this.access.change(
      ticketId,
      agent,
      async (ticket, manager, log) => {
        const before = (await this.callbacks.lockTask(manager, callbackId))!;
        const at = new Date();
        const change = recordCallback(before, action, agent.id, at, retryAt);
        if (!change.ok) {
          const reason = `Callback for ticket ${ticket.number}: ${change.reason}`;
          throw before.doneAt ? new ConflictException(reason) : new BadRequestException(reason);
        }
        await this.callbacks.updateTask(manager, change.task);
        log.record(ticket, agentActor(agent.id), at, change.event);
        return { task: change.task, teamId: ticket.teamId };
      },
    );
    const calendarOf = await this.calendars.load();
    return callbackView(task, calendarOf(teamId).timeZone);
  }
}

function callbackView(task: CallbackTask, teamTimeZone: string): CallbackView {
  return {
    id: task.id,
    ticketId: task.ticketId,
    phone: task.phone,
    windowStartsAt: task.windowStartsAt,
    windowEndsAt: task.windowEndsAt,
    dueAt: task.dueAt,
    attempts: task.attempts,
    lastAction: task.lastAction,
    doneAt: task.doneAt,
    doneBy: task.doneBy,
    onTime: task.doneAt ? isOnTime(task) : null,
    teamTimeZone,
  };
}
