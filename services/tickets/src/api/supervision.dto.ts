import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { CALLBACK_ACTIONS, type CallbackAction } from '@firstline/ticketing';
import { CHANNEL_NAMES, PRIORITY_NAMES } from '../tickets/ticket';
import { MAX_CUSTOMER_TAGS, normaliseLabel, PROFILE_LABEL, PROFILE_LABEL_RULE } from './dto';

// Requests and answers of the supervisors' controls and of callback tasks.

export class AssignRequest {
  @ApiProperty({ example: 'ann', description: 'The agent of the ticket’s team who is to work it' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  agentId!: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Assign even when the agent’s open tickets of the channel fill their capacity; the router ' +
      'says so in its decision. Without it such an assignment is refused (409).',
  })
  @IsOptional()
  @IsBoolean()
  overrideCapacity = false;
}

export class PriorityRequest {
  @ApiProperty({ enum: PRIORITY_NAMES })
  @IsIn(PRIORITY_NAMES)
  priority!: (typeof PRIORITY_NAMES)[number];
}

export class TicketTagsRequest {
  @ApiProperty({
    type: [String],
    example: ['refund', 'vip-request'],
    maxItems: MAX_CUSTOMER_TAGS,
    description: `The ticket's whole set of tags, each ${PROFILE_LABEL_RULE}; stored lower-case, once each`,
  })
  @Transform(({ value }) =>
    Array.isArray(value) ? [...new Set(value.map(normaliseLabel))] : (value as unknown),
  )
  @IsArray()
  @ArrayMaxSize(MAX_CUSTOMER_TAGS)
  @Matches(PROFILE_LABEL, { each: true, message: `tags must each be ${PROFILE_LABEL_RULE}` })
  tags!: string[];
}

export class TicketTagsAnswer {
  @ApiProperty({ type: [String] }) tags!: string[];
}

export class CustomerSearchQuery {
  @ApiProperty({
    example: 'rita@example.com',
    description:
      'Part of a name, email address, phone number or other handle; 2 characters or more',
  })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  query!: string;
}

export class CustomerMatch {
  @ApiProperty() id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ description: 'False for a provisional customer (a typed, unproven address)' })
  verified!: boolean;
  @ApiProperty({ type: [String], description: 'Their addresses: email, phone, chat user ids' })
  identities!: string[];
  @ApiProperty({ description: 'Tickets the customer has' })
  tickets!: number;
}

export class ChannelLoad {
  @ApiProperty({ enum: CHANNEL_NAMES }) channel!: string;
  @ApiProperty({ description: 'Open tickets of the channel assigned to the agent' }) open!: number;
  @ApiProperty({ description: 'How many they may hold at once' }) capacity!: number;
}

export class AgentWorkload {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String] }) teamIds!: string[];
  @ApiProperty({ enum: ['online', 'away', 'offline'] }) presence!: string;
  @ApiProperty({ type: [ChannelLoad] }) channels!: ChannelLoad[];
}

export class CallbackOutcomeRequest {
  @ApiProperty({
    enum: CALLBACK_ACTIONS,
    description:
      'called: reached by phone; no-answer: try again at retryAt; other-channel: reached another way',
  })
  @IsIn(CALLBACK_ACTIONS)
  action!: CallbackAction;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'For no-answer: when to call again (ISO 8601, future)',
  })
  @ValidateIf((request: CallbackOutcomeRequest) => request.action === 'no-answer')
  @Type(() => Date)
  @IsDate()
  retryAt?: Date;
}

export class CallbackListQuery {
  @ApiPropertyOptional({ type: String, enum: ['open', 'done'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'done'])
  status: 'open' | 'done' = 'open';

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 200, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 100;
}

export class CallbackView {
  @ApiProperty() id!: string;
  @ApiProperty() ticketId!: string;
  @ApiProperty({ description: 'The number to call; the console links it as tel:' })
  phone!: string;
  @ApiProperty() windowStartsAt!: Date;
  @ApiProperty({ description: 'The end of the window the customer asked for' })
  windowEndsAt!: Date;
  @ApiProperty({ description: 'When the next call is due: the window’s end, or a retry time' })
  dueAt!: Date;
  @ApiProperty({ description: 'Calls made so far' }) attempts!: number;
  @ApiProperty({ enum: CALLBACK_ACTIONS, nullable: true }) lastAction!: CallbackAction | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) doneAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) doneBy!: string | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Done by the window’s end; null while open',
  })
  onTime!: boolean | null;
  @ApiProperty({ example: 'Europe/Moscow', description: 'The time zone of the ticket’s team' })
  teamTimeZone!: string;
}

export class ListedCallbackView extends CallbackView {
  @ApiProperty() ticketNumber!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() teamId!: string;
  @ApiProperty({ type: String, nullable: true }) assigneeId!: string | null;
  @ApiProperty() customerName!: string;
}
