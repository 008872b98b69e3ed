import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SLA_ZONES, type SlaZone } from '@firstline/routing';
import { TICKET_STATUSES, type TicketStatus } from '@firstline/ticketing';
import { ROLES, type Role } from '../database/directory.repository';
import { CHANNEL_NAMES, PRIORITY_NAMES } from '../tickets/ticket';
import { KPI_DIMENSIONS } from './dto';

// What the agents' API answers. Each class is both the TypeScript type a controller method
// returns and the schema the OpenAPI document (openapi.json) gives the console's client; dates
// are Date here and ISO 8601 strings on the wire.

const dateTime = { type: String, format: 'date-time' } as const;
const nullableDateTime = { ...dateTime, nullable: true } as const;

export class SignedInAgentView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String] }) teamIds!: string[];
}

export class LoginAnswer {
  @ApiProperty({ description: 'The bearer token for the other endpoints' }) token!: string;
  @ApiProperty(dateTime) expiresAt!: Date;
  @ApiProperty({ type: SignedInAgentView }) agent!: SignedInAgentView;
}

export class TicketSummary {
  @ApiProperty() id!: string;
  @ApiProperty({ example: '1042' }) number!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: CHANNEL_NAMES }) channel!: string;
  @ApiProperty({ enum: TICKET_STATUSES }) status!: TicketStatus;
  @ApiProperty({ enum: PRIORITY_NAMES }) priority!: string;
  @ApiProperty() teamId!: string;
  @ApiProperty({ type: String, nullable: true }) assigneeId!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty(nullableDateTime) dueAt!: Date | null;
  @ApiProperty({ enum: SLA_ZONES }) zone!: SlaZone;
  @ApiProperty(nullableDateTime) firstResponseDueAt!: Date | null;
  @ApiProperty(nullableDateTime) resolutionDueAt!: Date | null;
  @ApiProperty() firstResponseBreached!: boolean;
  @ApiProperty({
    ...nullableDateTime,
    description: 'Set while the ticket waits on the customer: its SLA clock stands still',
  })
  slaPausedSince!: Date | null;
  @ApiProperty(nullableDateTime) firstRespondedAt!: Date | null;
  @ApiProperty(nullableDateTime) resolvedAt!: Date | null;
  @ApiProperty() reopenCount!: number;
  @ApiProperty({ type: Number, nullable: true }) csatScore!: number | null;
  @ApiProperty({ type: String, nullable: true }) csatComment!: string | null;
  @ApiProperty(dateTime) createdAt!: Date;
}

export class QueuePage {
  @ApiProperty({ type: [TicketSummary] }) tickets!: TicketSummary[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The `after` of the next page; null on the last',
  })
  next!: string | null;
}

export class MessageAuthor {
  @ApiProperty({ example: 'agent' }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) id!: string | null;
}

export class MessageDelivery {
  @ApiProperty({ example: 'SENT' }) status!: string;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
}

export class MessageView {
  @ApiProperty() id!: string;
  @ApiProperty() ticketId!: string;
  @ApiProperty({ enum: ['in', 'out'] }) direction!: 'in' | 'out';
  @ApiProperty({ type: MessageAuthor }) author!: MessageAuthor;
  @ApiProperty({ enum: CHANNEL_NAMES }) channel!: string;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty({ type: String, nullable: true }) html!: string | null;
  @ApiProperty({
    type: () => [AttachmentView],
    description: 'As the channel received or the agent sent them',
  })
  attachments!: AttachmentView[];
  @ApiProperty() automatic!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'For automatic messages: acknowledgement, out_of_hours, csat_survey, …',
  })
  automaticKind!: string | null;
  @ApiProperty(nullableDateTime) expectedAnswerAt!: Date | null;
  @ApiProperty({ type: MessageDelivery, nullable: true }) delivery!: MessageDelivery | null;
  @ApiProperty(dateTime) createdAt!: Date;
}

export class TicketDetails extends TicketSummary {
  @ApiProperty() conversationKey!: string;
  @ApiProperty({ type: [String] }) skillIds!: string[];
  @ApiProperty({ type: String, nullable: true }) previousTicketId!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "Its number only: the ticket may be another customer's",
  })
  previousTicketNumber!: string | null;
}

export class CustomerIdentity {
  @ApiProperty({ description: 'IdentityKind of contracts/identity.proto' }) kind!: number;
  @ApiProperty() value!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty() verified!: boolean;
}

export class CustomerView {
  @ApiProperty() id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ description: 'Service tier; "" for none' }) tier!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true }) mergedInto!: string | null;
  @ApiProperty({ description: 'False for a provisional customer nobody verified' })
  verified!: boolean;
  @ApiProperty({ type: [CustomerIdentity] }) identities!: CustomerIdentity[];
}

export class NoteView {
  @ApiProperty() id!: string;
  @ApiProperty() agentId!: string;
  @ApiProperty() text!: string;
  @ApiProperty(dateTime) createdAt!: Date;
}

export class CustomerTicket extends TicketSummary {
  @ApiProperty({
    type: [MessageView],
    description: 'Empty for tickets the agent may not work on',
  })
  messages!: MessageView[];
}

export class TicketView {
  @ApiProperty({ type: TicketDetails }) ticket!: TicketDetails;
  @ApiProperty({ type: CustomerView, nullable: true }) customer!: CustomerView | undefined;
  @ApiProperty({ type: [MessageView] }) messages!: MessageView[];
  @ApiProperty({ type: [NoteView] }) notes!: NoteView[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'The TicketEvents of contracts/ticket_events.proto, as protobuf JSON',
  })
  events!: Array<Record<string, unknown>>;
  @ApiProperty({ type: [CustomerTicket], description: "The customer's other tickets" })
  history!: CustomerTicket[];
}

export class ReplyAnswer {
  @ApiProperty({ description: 'The outbound message id' }) messageId!: string;
  @ApiProperty({ enum: TICKET_STATUSES, description: "The ticket's status after the reply" })
  status!: string;
}

export class CannedReplyView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() language!: string;
  @ApiProperty({ description: 'Filled in for this ticket' }) text!: string;
  @ApiProperty({
    type: [String],
    description: 'Placeholders that named nothing known, left in the text',
  })
  unknown!: string[];
}

export class NoteAnswer {
  @ApiProperty() noteId!: string;
}

export class StatusAnswer {
  @ApiProperty({ enum: TICKET_STATUSES }) status!: TicketStatus;
}

/**
 * The router's verdict on a claim, hand-back or transfer (`applied`, 200), or that it has not
 * answered yet (`requested`, 202; the change then arrives as a live event).
 */
export class CommandAnswer {
  @ApiProperty({ enum: ['applied', 'requested'] }) status!: 'applied' | 'requested';
  @ApiPropertyOptional({ type: String, nullable: true, description: 'When applied' })
  assigneeId?: string | null;
  @ApiPropertyOptional({ description: 'When applied' }) teamId?: string;
  @ApiPropertyOptional({ description: 'When requested' }) commandId?: string;
}

export class KpiSummary {
  @ApiProperty() tickets!: number;
  @ApiProperty({ type: Number, nullable: true }) firstResponseMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) firstResponseBusinessMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) resolutionMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) resolutionBusinessMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) reopenRate!: number | null;
  @ApiProperty({ type: Number, nullable: true }) csatAverage!: number | null;
  @ApiProperty({ type: Number, nullable: true }) csatSatisfiedShare!: number | null;
  @ApiProperty() csatResponses!: number;
  @ApiProperty({ type: Number, nullable: true }) slaCompliance!: number | null;
  @ApiProperty({ description: 'Answer times promised to customers that came due' })
  answerPromises!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Of those, the share whose first response came by the promised time',
  })
  answerPromisesKept!: number | null;
  @ApiProperty() backlog!: number;
  @ApiProperty({ description: 'Callbacks customers asked for' }) callbacks!: number;
  @ApiProperty({ description: 'Of those, done' }) callbacksCompleted!: number;
  @ApiProperty({ description: 'Of those, done by the end of the window asked for' })
  callbacksOnTime!: number;
  @ApiProperty({ description: 'Calls made for them' }) callbackAttempts!: number;
}

export class KpiGroup {
  @ApiProperty({ description: 'The channel, team, agent, day or week' }) key!: string;
  @ApiProperty({ type: KpiSummary }) summary!: KpiSummary;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...SLA_ZONES] },
    description: 'Traffic lights of the measures that have targets',
  })
  zones!: Partial<Record<keyof KpiSummary, SlaZone>>;
}

export class KpiReport {
  @ApiProperty({ enum: KPI_DIMENSIONS }) by!: (typeof KPI_DIMENSIONS)[number];
  @ApiProperty(dateTime) from!: Date;
  @ApiProperty(dateTime) to!: Date;
  @ApiProperty({ type: [KpiGroup] }) groups!: KpiGroup[];
}

export class SupervisorNotificationView {
  @ApiProperty({ description: 'The id of the TicketEvent that caused it' }) id!: string;
  @ApiProperty({ enum: ['low-csat', 'first-response-breached'] })
  kind!: 'low-csat' | 'first-response-breached';
  @ApiProperty() teamId!: string;
  @ApiProperty() ticketId!: string;
  @ApiProperty() ticketNumber!: string;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty() comment!: string;
  @ApiProperty(dateTime) createdAt!: Date;
}

export class NotificationList {
  @ApiProperty({ type: [SupervisorNotificationView] }) items!: SupervisorNotificationView[];
}

export class AccountView {
  @ApiProperty() agentId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String] }) teamIds!: string[];
  @ApiProperty() active!: boolean;
}

export class PresenceAnswer {
  @ApiProperty({ enum: ['online', 'away', 'offline'] }) presence!: 'online' | 'away' | 'offline';
}

/**
 * A directory entry as protobuf JSON (directory.proto's DirectoryRecord): its kind, id and
 * version, and the entry itself under the kind's name (`team`, `agent`, `slaPolicy`, …).
 */
export const DIRECTORY_RECORD: SchemaObject = {
  type: 'object',
  required: ['kind', 'id'],
  properties: {
    kind: { type: 'string', example: 'DIRECTORY_KIND_TEAM' },
    id: { type: 'string' },
    version: { type: 'integer', description: 'Raised by every change' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  additionalProperties: { type: 'object', additionalProperties: true },
};

export class AttachmentView {
  @ApiProperty({ description: 'Key in the attachment store; empty for a file only linked by URL' })
  storageKey!: string;
  @ApiProperty({ description: 'Where the channel offers the file, when it was not stored' })
  url!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty({ description: 'As the channel or the agent declared it' }) contentType!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'GET it (with the bearer token) for the file; null for a file only linked by URL',
  })
  downloadPath!: string | null;
}

export class UploadedAttachment {
  @ApiProperty({ description: 'Name it in a reply’s `attachments`' }) storageKey!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty({ description: 'GET it (with the bearer token) for the file' })
  downloadPath!: string;
}
