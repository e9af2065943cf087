import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { UpstreamHealthIndicator } from './upstream-health.indicator';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [UpstreamHealthIndicator],
  exports: [UpstreamHealthIndicator],
})
export class HealthModule {}
