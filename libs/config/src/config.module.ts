import { Global, Module } from '@nestjs/common';
import { Config, loadConfig } from './load-config';

/** Provides the one `Config`, read once from the environment at start-up. */
@Global()
@Module({
  providers: [{ provide: Config, useFactory: () => loadConfig() }],
  exports: [Config],
})
export class ConfigModule {}
