import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { SLA_ZONES, type SlaZone } from '@firstline/routing';
import { TICKET_STATUSES, type TicketStatus } from '@firstline/ticketing';
import { CHANNEL_NAMES, PRIORITY_NAMES } from '../tickets/ticket';

export class LoginRequest {
  @ApiProperty({ example: 'ann@firstline.example' })
  @IsEmail()
  email!: string;

  @ApiProperty({ example: 'firstline-demo' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  password!: string;
}

export const QUEUE_VIEWS = ['mine', 'team', 'all'] as const;

export class QueueQuery {
  @ApiPropertyOptional({
    enum: QUEUE_VIEWS,
    description: "mine: assigned to me; team: my teams' unassigned; all: every team (supervisor)",
  })
  @IsOptional()
  @IsIn(QUEUE_VIEWS)
  view: (typeof QUEUE_VIEWS)[number] = 'mine';

  @ApiPropertyOptional({ enum: CHANNEL_NAMES })
  @IsOptional()
  @IsIn(CHANNEL_NAMES)
  channel?: (typeof CHANNEL_NAMES)[number];

  @ApiPropertyOptional({ enum: TICKET_STATUSES, description: 'Default: new, open and pending' })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ApiPropertyOptional({ enum: PRIORITY_NAMES })
  @IsOptional()
  @IsIn(PRIORITY_NAMES)
  priority?: (typeof PRIORITY_NAMES)[number];

  @ApiPropertyOptional({ enum: SLA_ZONES })
  @IsOptional()
  @IsIn(SLA_ZONES)
  zone?: SlaZone;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tag?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 50;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  after?: string;
}

export class ReplyRequest {
  @ApiProperty({ description: 'Plain text sent to the customer', maxLength: 20_000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20_000)
  text!: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    description:
      'Storage keys of files this agent uploaded to this ticket (POST /tickets/{id}/attachments), sent with the text',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  attachments?: string[];
}

export class NoteRequest {
  @ApiProperty({ maxLength: 20_000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20_000)
  text!: string;
}

export class TransferRequest {
  @ApiProperty({ example: 'billing' })
  @IsString()
  @IsNotEmpty()
  teamId!: string;

  @ApiProperty({ description: 'What the new team needs to know; kept as an internal note' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20_000)
  note!: string;

  @ApiPropertyOptional({ type: [String], description: 'Skills needed in the new team' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  skillIds?: string[];
}

export class HandOverRequest {
  @ApiProperty({
    example: 'anna',
    description: "A colleague in the ticket's team with room for it",
  })
  @IsString()
  @IsNotEmpty()
  agentId!: string;

  @ApiProperty({ description: 'What the colleague needs to know; kept as an internal note' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20_000)
  note!: string;
}

export class StatusRequest {
  @ApiProperty({ enum: TICKET_STATUSES })
  @IsIn(TICKET_STATUSES)
  status!: TicketStatus;
}

export class MergeCustomersRequest {
  @ApiProperty({
    description: 'The customer merged into this one; their tickets and identities move',
  })
  @IsString()
  @IsNotEmpty()
  duplicateId!: string;
}

/** A tier or tag as routing rules compare it: a letter or digit, then up to 31 more or "_", "-". */
export const PROFILE_LABEL = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,31}$/u;
export const PROFILE_LABEL_RULE =
  'up to 32 letters, digits, "_" or "-", starting with a letter or digit';
export const MAX_CUSTOMER_TAGS = 20;

/** Tiers and tags compare as typed but for case and surrounding spaces. */
export const normaliseLabel = (value: unknown) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class CustomerProfileRequest {
  @ApiProperty({ example: 'vip', description: `Service tier, ${PROFILE_LABEL_RULE}; "" for none` })
  @Transform(({ value }) => normaliseLabel(value))
  @IsString()
  @ValidateIf((request: CustomerProfileRequest) => request.tier !== '')
  @Matches(PROFILE_LABEL, { message: `tier must be "" or ${PROFILE_LABEL_RULE}` })
  tier!: string;

  @ApiProperty({
    type: [String],
    example: ['enterprise', 'churn-risk'],
    maxItems: MAX_CUSTOMER_TAGS,
    description: `The whole set of tags, each ${PROFILE_LABEL_RULE}; stored lower-case, once each`,
  })
  @Transform(({ value }) =>
    Array.isArray(value) ? [...new Set(value.map(normaliseLabel))] : (value as unknown),
  )
  @IsArray()
  @ArrayMaxSize(MAX_CUSTOMER_TAGS)
  @Matches(PROFILE_LABEL, { each: true, message: `tags must each be ${PROFILE_LABEL_RULE}` })
  tags!: string[];
}

export const KPI_DIMENSIONS = ['channel', 'team', 'agent', 'day', 'week'] as const;

export class KpiQuery {
  @ApiProperty({ enum: KPI_DIMENSIONS })
  @IsIn(KPI_DIMENSIONS)
  by!: (typeof KPI_DIMENSIONS)[number];

  @ApiProperty({ description: 'Tickets created at or after (ISO 8601)' })
  @Type(() => Date)
  @IsDate()
  from!: Date;

  @ApiProperty({ description: 'Tickets created before (ISO 8601)' })
  @Type(() => Date)
  @IsDate()
  to!: Date;

  @ApiPropertyOptional({ description: 'Only this team' })
  @IsOptional()
  @IsString()
  teamId?: string;
}
