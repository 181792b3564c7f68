/** Piston v2 at `/api/v2/…`: a translation onto the /v1 job path, and its WebSocket `/connect` onto a live session. */
import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { JobsModule } from '../../jobs/jobs.module';
import { LanguagesModule } from '../../languages/languages.module';
import { SyncRunner } from '../sync-run';
import { PistonContentType } from './piston-body';
import { PistonConnect } from './piston-connect';
import { PistonConnectGateway } from './piston-connect.gateway';
import { PistonController } from './piston.controller';
import { PistonService } from './piston.service';

@Module({
  imports: [JobsModule, LanguagesModule],
  controllers: [PistonController],
  providers: [PistonService, SyncRunner, PistonConnect, PistonConnectGateway],
})
export class PistonModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PistonContentType).forRoutes(PistonController);
  }
}
