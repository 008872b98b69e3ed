import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
} from '@nestjs/terminus';
import { ServiceMetrics } from './metrics';

export interface DependencyCheck {
  up: boolean;
  detail?: string;
}

/** What /health asks: each named dependency (bus, database) answers up or down. */
export type HealthChecks = Record<string, () => Promise<DependencyCheck>>;

const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthChecks,
  ) {}

  /** 200 when every dependency is up, 503 with the failing one named otherwise. */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check(
      Object.entries(this.checks).map(([name, probe]) => async () => {
        const session = this.indicators.check(name);
        const result = await probe().catch((error: Error) => ({
          up: false,
          detail: error.message,
        }));
        return result.up ? session.up() : session.down({ message: result.detail ?? 'down' });
      }),
    );
  }
}

@Controller()
class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  expose(): Promise<string> {
    return this.metrics.exposition();
  }
}

/** `/health` (terminus) and `/metrics` (Prometheus text format) for one service. */
@Module({})
export class ObservabilityModule {
  static forService(options: { metrics: ServiceMetrics; checks: HealthChecks }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: ServiceMetrics, useValue: options.metrics },
        { provide: HEALTH_CHECKS, useValue: options.checks },
      ],
      exports: [ServiceMetrics],
    };
  }
}
