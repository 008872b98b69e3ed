import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerRepository } from '../database/customer.repository';
import type { CommandAnswer } from './routing-commands';
import {
  AgentWorkload,
  AssignRequest,
  CustomerMatch,
  CustomerSearchQuery,
  PriorityRequest,
  TicketTagsRequest,
} from './supervision.dto';
import { TicketSupervisionService } from './ticket-supervision.service';
import { WorkloadService } from './workload.service';

/** The part of Express's response an answer sets. */
interface Response {
  status(code: number): unknown;
}

const ROUTER_ANSWERS =
  '200 with the assignee and team once the router applied it; 409 with its reason when it ' +
  'refused; 202 `{status: "requested", commandId}` when it has not answered in time.';

/**
 * Supervisors' controls in the console: give a ticket to a named agent, change its priority and
 * tags, see every agent's presence and load, find the customers to merge.
 */
@ApiTags('supervision')
@ApiBearerAuth()
@UseGuards(AgentGuard)
@Roles('supervisor', 'admin')
@Controller('api/v1')
export class SupervisorControlsController {
  constructor(
    private readonly supervision: TicketSupervisionService,
    private readonly workloads: WorkloadService,
    private readonly customers: CustomerRepository,
  ) {}

  /** A request to the router, the one assignment authority (docs/adr/0015). */
  @Post('tickets/:id/assign')
  @HttpCode(200)
  @ApiOkResponse({ description: ROUTER_ANSWERS })
  @ApiAcceptedResponse({ description: 'The router has not answered yet' })
  @ApiConflictResponse({ description: 'Refused: at capacity, another team, closed…' })
  async assign(
    @CurrentAgent() supervisor: SignedInAgent,
    @Param('id') id: string,
    @Body() body: AssignRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answered(
      response,
      await this.supervision.assign(id, supervisor, body.agentId, body.overrideCapacity),
    );
  }

  /** A request to the router, which orders queues by priority (docs/adr/0015). */
  @Post('tickets/:id/priority')
  @HttpCode(200)
  @ApiOkResponse({ description: ROUTER_ANSWERS })
  @ApiAcceptedResponse({ description: 'The router has not answered yet' })
  async priority(
    @CurrentAgent() supervisor: SignedInAgent,
    @Param('id') id: string,
    @Body() body: PriorityRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answered(response, await this.supervision.setPriority(id, supervisor, body.priority));
  }

  @Put('tickets/:id/tags')
  @ApiOkResponse({ description: 'The ticket’s tags now' })
  tags(
    @CurrentAgent() supervisor: SignedInAgent,
    @Param('id') id: string,
    @Body() body: TicketTagsRequest,
  ) {
    return this.supervision.setTags(id, supervisor, body.tags);
  }

  @Get('agents/workload')
  @ApiQuery({ name: 'teamId', required: false })
  @ApiOkResponse({ type: [AgentWorkload] })
  workload(@Query('teamId') teamId?: string) {
    return this.workloads.workload(teamId || undefined);
  }

  @Get('customers')
  @ApiOkResponse({ type: [CustomerMatch], description: 'Up to 20 customers, not merged away' })
  searchCustomers(@Query() query: CustomerSearchQuery) {
    return this.customers.searchCustomers(query.query.trim(), 20);
  }
}

function answered(response: Response, answer: CommandAnswer): CommandAnswer {
  if (answer.status === 'requested') response.status(202);
  return answer;
}
