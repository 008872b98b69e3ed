import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { ChatActivityService } from './chat-activity.service';

export class ChatReadRequest {
  @ApiProperty({
    description: "The visitor's latest message the agent has seen (a message id of the ticket)",
    example: 'chat:5b1c…:0f3e…',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  messageId!: string;
}

/**
 * What the console tells a live-chat visitor between messages: the agent is typing (sent again
 * every few seconds while they type; the widget's cue fades by itself) and has read the visitor's
 * messages up to one. 409 for a ticket of another channel.
 */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiErrors(401, 503)
@UseGuards(AgentGuard)
@Controller('api/v1/tickets/:id/chat')
export class ChatActivityController {
  constructor(private readonly activity: ChatActivityService) {}

  @Post('typing')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The visitor is told' })
  @ApiErrors(403, 404, 409)
  typing(@CurrentAgent() agent: SignedInAgent, @Param('id') id: string): Promise<void> {
    return this.activity.typing(id, agent);
  }

  @Post('read')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The visitor is told' })
  @ApiErrors(400, 403, 404, 409, 422)
  read(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: ChatReadRequest,
  ): Promise<void> {
    return this.activity.read(id, agent, body.messageId);
  }
}
