import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { CHANNEL_NAMES } from '../tickets/ticket';

// The staffing planner's query and answer (`GET /api/v1/planning/staffing`), documented for the
// OpenAPI file the console's client is generated from.

/** More weeks than a quarter would average over seasons the team no longer works in. */
export const MAX_PLANNING_WEEKS = 13;

export class StaffingQuery {
  @ApiProperty({ description: 'The team to plan (Team.id)' })
  @IsString()
  @IsNotEmpty()
  team!: string;

  @ApiPropertyOptional({
    description: 'Whole weeks of stored traffic before now to average over',
    minimum: 1,
    maximum: MAX_PLANNING_WEEKS,
    default: 4,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PLANNING_WEEKS)
  weeks = 4;

  @ApiPropertyOptional({
    description: 'Percent of conversations to answer within the SLA first-response target',
    minimum: 1,
    maximum: 99,
    default: 80,
  })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(1)
  @Max(99)
  serviceLevel = 80;

  @ApiPropertyOptional({
    description: 'Percent of paid time not spent answering (breaks, training, absence)',
    minimum: 0,
    maximum: 90,
    default: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(90)
  shrinkage = 0;

  @ApiPropertyOptional({
    description: 'Highest percent of their time agents may be busy',
    minimum: 10,
    maximum: 100,
    default: 100,
  })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(10)
  @Max(100)
  maxOccupancy = 100;
}

const STAFFING_FLAGS = ['understaffed', 'overstaffed', 'closed-with-traffic'] as const;

export class StaffingChannel {
  @ApiProperty({ enum: CHANNEL_NAMES }) channel!: string;
  @ApiProperty({ description: 'Conversations in the window' }) arrivals!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Mean agent time until the first response; null when none was answered',
  })
  handlingSeconds!: number | null;
  @ApiProperty({ description: "The SLA policy's first-response target" }) targetSeconds!: number;
}

export class StaffingHourView {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday, Monday = 1' })
  weekday!: number;
  @ApiProperty({ minimum: 0, maximum: 23, description: "Hour in the team's time zone" })
  hour!: number;
  @ApiProperty({ description: 'Mean conversations arriving in this hour of the week' })
  arrivals!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'The same by channel',
  })
  arrivalsByChannel!: Record<string, number>;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Agents to schedule (Erlang C); null: no handling time known yet',
  })
  agentsNeeded!: number | null;
  @ApiProperty({ description: "Mean number of the team's agents online" }) agentsOnline!: number;
  @ApiProperty({ description: 'Share of the hour the calendar was open, 0–1' }) openShare!: number;
  @ApiProperty({ enum: STAFFING_FLAGS, isArray: true }) flags!: string[];
}

export class ClosedDayView {
  @ApiProperty({ example: '2026-03-07', description: 'Local date' }) date!: string;
  @ApiProperty({ minimum: 1, maximum: 7 }) weekday!: number;
  @ApiProperty() arrivals!: number;
}

export class StaffingPlanView {
  @ApiProperty() teamId!: string;
  @ApiProperty({ type: String, format: 'date-time' }) from!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) until!: Date;
  @ApiProperty() weeks!: number;
  @ApiProperty({ example: 'Europe/Moscow' }) timeZone!: string;
  @ApiProperty({ description: 'Percent answered within the target the plan is for' })
  serviceLevel!: number;
  @ApiProperty() shrinkage!: number;
  @ApiProperty() maxOccupancy!: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Since when presence is logged; before it nobody counts as online',
  })
  presenceLoggedSince!: Date | null;
  @ApiProperty({ type: [StaffingChannel] }) channels!: StaffingChannel[];
  @ApiProperty({ type: [StaffingHourView], description: '168 hours, Monday 0:00 first' })
  hours!: StaffingHourView[];
  @ApiProperty({
    type: [ClosedDayView],
    description: 'Dates the calendar opened no hours on, yet customers wrote',
  })
  closedDaysWithTraffic!: ClosedDayView[];
}
