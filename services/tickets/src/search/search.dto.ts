import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import {
  SEARCH_MATCHES,
  TICKET_STATUSES,
  type SearchMatch,
  type TicketStatus,
} from '@firstline/ticketing';
import { CHANNEL_NAMES, PRIORITY_NAMES } from '../tickets/ticket';

export class SearchRequest {
  @ApiProperty({
    description:
      'A ticket number ("#10001" or "10001"), a customer’s name, email address (or its start), ' +
      'phone number (any way it is written; with or without the country code), Telegram ' +
      '@username, Telegram, VK or OK user id, or words of subjects and messages (Russian and ' +
      'English words in any form: «оплата» finds «оплату», "refunds" finds "refund")',
    example: 'refund',
    maxLength: 200,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  q!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit = 20;
}

export class HighlightFragmentView {
  @ApiProperty()
  text!: string;

  @ApiProperty({ description: 'Part of what was searched for: shown marked' })
  match!: boolean;
}

export class SearchCustomerView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'As the customer gave it; empty when no channel told' })
  name!: string;
}

export class SearchResultView {
  @ApiProperty({ description: 'The ticket id' })
  id!: string;

  @ApiProperty({ example: '10001' })
  number!: string;

  @ApiProperty()
  subject!: string;

  @ApiProperty({ enum: TICKET_STATUSES })
  status!: TicketStatus;

  @ApiProperty({ enum: PRIORITY_NAMES })
  priority!: string;

  @ApiProperty({ enum: CHANNEL_NAMES })
  channel!: string;

  @ApiProperty()
  teamId!: string;

  @ApiProperty({ type: String, nullable: true })
  assigneeId!: string | null;

  @ApiProperty({ type: Date })
  updatedAt!: Date;

  @ApiProperty({ type: SearchCustomerView })
  customer!: SearchCustomerView;

  @ApiProperty({
    enum: SEARCH_MATCHES,
    description:
      'What matched, from the most certain: the number, an email, a phone, a Telegram/VK/OK ' +
      'account, the customer’s name, or words of a message',
  })
  matchedBy!: SearchMatch;

  @ApiProperty({
    type: [HighlightFragmentView],
    description:
      'Plain-text pieces of what matched (a message’s passage, the address, the name), the ' +
      'found parts with `match: true`. Never HTML: show every piece as text.',
  })
  highlight!: HighlightFragmentView[];
}

export class SearchResultsView {
  @ApiProperty({
    type: [SearchResultView],
    description:
      'Best first: the ticket with that number, then tickets of a customer named by a whole ' +
      'address, phone or id, then by part of one or by name, then by words (best ranked first). ' +
      'Only tickets of teams the agent may work on (every team for supervisors and admins).',
  })
  results!: SearchResultView[];
}
