import { Body, Controller, Get, Header, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerService } from './customer.service';
import { CustomerProfileRequest, KpiQuery, MergeCustomersRequest } from './dto';
import { KpiService } from './kpi.service';

/** What supervisors do beyond working tickets: KPIs, customer merges and customer profiles. */
@ApiTags('supervision')
@ApiBearerAuth()
@UseGuards(AgentGuard)
@Roles('supervisor', 'admin')
@Controller('api/v1')
export class SupervisionController {
  constructor(
    private readonly kpiService: KpiService,
    private readonly customers: CustomerService,
  ) {}

  @Get('kpis')
  kpis(@Query() query: KpiQuery) {
    return this.kpiService.kpis(query);
  }

  @Get('kpis.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  kpisCsv(@Query() query: KpiQuery) {
    return this.kpiService.csv(query);
  }

  @Get('customers/:id')
  customer(@Param('id') id: string) {
    return this.customers.find(id);
  }

  /** Merges a duplicate into this customer; the router hears of it on support.customer-events.v1. */
  @Post('customers/:id/merge')
  merge(
    @Param('id') id: string,
    @Body() body: MergeCustomersRequest,
    @CurrentAgent() agent: SignedInAgent,
  ) {
    return this.customers.merge(id, body.duplicateId, agent.id);
  }

  /** Sets the customer's tier and tags; the router hears of it on support.customer-events.v1. */
  @Put('customers/:id/profile')
  setProfile(
    @Param('id') id: string,
    @Body() body: CustomerProfileRequest,
    @CurrentAgent() agent: SignedInAgent,
  ) {
    return this.customers.setProfile(id, { tier: body.tier, tags: body.tags }, agent.id);
  }
}
