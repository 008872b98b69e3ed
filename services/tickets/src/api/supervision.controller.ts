import { Body, Controller, Get, Header, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerService } from './customer.service';
import { CustomerProfileRequest, KpiQuery, MergeCustomersRequest } from './dto';
import { KpiService } from './kpi.service';
import { CustomerView, KpiReport } from './responses';

/** What supervisors do beyond working tickets: KPIs, customer merges and customer profiles. */
@ApiTags('supervision')
@ApiBearerAuth()
@ApiErrors(401, 403, 503)
@UseGuards(AgentGuard)
@Roles('supervisor', 'admin')
@Controller('api/v1')
export class SupervisionController {
  constructor(
    private readonly kpiService: KpiService,
    private readonly customers: CustomerService,
  ) {}

  @Get('kpis')
  @ApiOkResponse({ type: KpiReport })
  @ApiErrors(400)
  kpis(@Query() query: KpiQuery): Promise<KpiReport> {
    return this.kpiService.kpis(query);
  }

  @Get('kpis.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'One row per group' })
  @ApiErrors(400)
  kpisCsv(@Query() query: KpiQuery): Promise<string> {
    return this.kpiService.csv(query);
  }

  @Get('customers/:id')
  @ApiOkResponse({ type: CustomerView })
  @ApiErrors(404)
  customer(@Param('id') id: string): Promise<CustomerView> {
    return this.customers.find(id);
  }

  /** Merges a duplicate into this customer; the router hears of it on support.customer-events.v1. */
  @Post('customers/:id/merge')
  @ApiOkResponse({ type: CustomerView, description: 'The customer, with what was merged in' })
  @ApiErrors(400, 404)
  merge(
    @Param('id') id: string,
    @Body() body: MergeCustomersRequest,
    @CurrentAgent() agent: SignedInAgent,
  ): Promise<CustomerView> {
    return this.customers.merge(id, body.duplicateId, agent.id);
  }

  /** Sets the customer's tier and tags; the router hears of it on support.customer-events.v1. */
  @Put('customers/:id/profile')
  @ApiOkResponse({ type: CustomerView })
  @ApiErrors(400, 404)
  setProfile(
    @Param('id') id: string,
    @Body() body: CustomerProfileRequest,
    @CurrentAgent() agent: SignedInAgent,
  ): Promise<CustomerView> {
    return this.customers.setProfile(id, { tier: body.tier, tags: body.tags }, agent.id);
  }
}
