import {
  applyDecorators,
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { AssignmentService } from './assignment.service';

/** The part of Express's response an answer sets. */
export interface Response {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}
import {
  HandOverRequest,
  NoteRequest,
  QueueQuery,
  ReplyRequest,
  StatusRequest,
  TransferRequest,
} from './dto';
import { NoteService } from './note.service';
import { QueueService } from './queue.service';
import { ReplyService } from './reply.service';
import {
  CannedReplyView,
  CommandAnswer,
  NoteAnswer,
  QueuePage,
  ReplyAnswer,
  StatusAnswer,
  TicketView,
} from './responses';
import { StatusService } from './status.service';
import { TicketViewService } from './ticket-view.service';
import { TransferService } from './transfer.service';

/** The agents' work: the queue, one ticket, and everything done to it. */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiErrors(401, 503)
@UseGuards(AgentGuard)
@Controller('api/v1')
export class TicketsController {
  constructor(
    private readonly queueService: QueueService,
    private readonly views: TicketViewService,
    private readonly replies: ReplyService,
    private readonly notes: NoteService,
    private readonly transfers: TransferService,
    private readonly statuses: StatusService,
    private readonly assignments: AssignmentService,
  ) {}

  @Get('queue')
  @ApiOkResponse({ type: QueuePage })
  @ApiErrors(400, 403)
  queue(@CurrentAgent() agent: SignedInAgent, @Query() query: QueueQuery): Promise<QueuePage> {
    return this.queueService.queue(agent, query);
  }

  @Get('tickets/:id')
  @ApiOkResponse({ type: TicketView })
  @ApiErrors(403, 404)
  ticket(@CurrentAgent() agent: SignedInAgent, @Param('id') id: string): Promise<TicketView> {
    return this.views.view(id, agent);
  }

  @Post('tickets/:id/replies')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      "A key of the client's own (a UUID), new for every reply. Repeating the request with it " +
      'returns the first result, with `Idempotent-Replayed: true`, and sends nothing again.',
  })
  @ApiCreatedResponse({
    type: ReplyAnswer,
    description: 'Sent, or the first result of a repeated request',
  })
  @ApiErrors(400, 403, 404, 409, 422)
  async reply(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: ReplyRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ReplyAnswer> {
    const { replayed, ...sent } = await this.replies.reply(
      id,
      agent,
      body.text,
      validIdempotencyKey(idempotencyKey),
      body.attachments,
    );
    if (replayed) response.setHeader('Idempotent-Replayed', 'true');
    return sent;
  }

  @Get('tickets/:id/canned-replies')
  @ApiOkResponse({ type: [CannedReplyView] })
  @ApiErrors(403, 404)
  cannedReplies(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
  ): Promise<CannedReplyView[]> {
    return this.replies.cannedReplies(id, agent);
  }

  @Post('tickets/:id/notes')
  @ApiCreatedResponse({ type: NoteAnswer })
  @ApiErrors(400, 403, 404)
  note(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: NoteRequest,
  ): Promise<NoteAnswer> {
    return this.notes.addNote(id, agent, body.text);
  }

  @Post('tickets/:id/transfer')
  @HttpCode(200)
  @CommandAnswers()
  @ApiErrors(400, 403, 404, 409)
  async transfer(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: TransferRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    return answered(response, await this.transfers.transfer(id, agent, body));
  }

  /** To a colleague of the ticket's team: a live chat's visitor sees who joined. */
  @Post('tickets/:id/hand-over')
  @HttpCode(200)
  @CommandAnswers()
  @ApiErrors(400, 403, 404, 409)
  async handOver(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: HandOverRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    return answered(response, await this.transfers.handOver(id, agent, body));
  }

  @Post('tickets/:id/status')
  @HttpCode(200)
  @ApiOkResponse({ type: StatusAnswer })
  @ApiErrors(400, 403, 404, 409)
  status(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: StatusRequest,
  ): Promise<StatusAnswer> {
    return this.statuses.setStatus(id, agent, body.status);
  }

  @Post('tickets/:id/claim')
  @HttpCode(200)
  @CommandAnswers()
  @ApiErrors(403, 404, 409)
  async claim(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    return answered(response, await this.assignments.claim(id, agent));
  }

  @Post('tickets/:id/unassign')
  @HttpCode(200)
  @CommandAnswers()
  @ApiErrors(403, 404, 409)
  async unassign(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    return answered(response, await this.assignments.unassign(id, agent));
  }
}

/**
 * Claims, hand-backs and transfers are the router's to decide: 200 with the outcome when it
 * answered in time, 202 when it has not yet (the change then arrives as a live event).
 */
export function CommandAnswers() {
  return applyDecorators(
    ApiOkResponse({ type: CommandAnswer, description: 'The router applied it' }),
    ApiAcceptedResponse({ type: CommandAnswer, description: 'The router has not answered yet' }),
  );
}

export function answered(response: Response, answer: CommandAnswer): CommandAnswer {
  if (answer.status === 'requested') response.status(202);
  return answer;
}

/** Visible ASCII, as header values go, up to the length of a few UUIDs. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function validIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new BadRequestException(
      'Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID',
    );
  }
  return header;
}
