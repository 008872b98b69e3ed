import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AgentGuard, CurrentAgent } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { SearchRequest, SearchResultsView } from './search.dto';
import { SearchService } from './search.service';

/** One search box for tickets: numbers, customers and words. */
@ApiTags('search')
@ApiBearerAuth()
@UseGuards(AgentGuard)
@Controller('api/v1')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  @Get('search')
  @ApiOkResponse({ type: SearchResultsView })
  search(
    @CurrentAgent() agent: SignedInAgent,
    @Query() request: SearchRequest,
  ): Promise<SearchResultsView> {
    return this.searchService.search(agent, request.q, request.limit);
  }
}
