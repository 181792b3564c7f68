/**
 * The peers' APIs runbox answers besides /v1, each a translation module of its own, mounted
 * here and only here, as COMPAT_APIS says. Adding one is a row in COMPAT_MODULES.
 */
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { CompatApiName, Config } from '@runbox/config';
import { Judge0Module } from './judge0/judge0.module';
import { JobeModule } from './jobe/jobe.module';
import { PistonModule } from './piston/piston.module';

/** Each compatibility API by its COMPAT_APIS name. */
export const COMPAT_MODULES: Partial<Record<CompatApiName, Type>> = {
  judge0: Judge0Module,
  piston: PistonModule,
  jobe: JobeModule,
};

@Module({})
export class CompatModule {
  static forRoot(config: Config): DynamicModule {
    const modules = config.compat.apis.flatMap((name) => COMPAT_MODULES[name] ?? []);
    return { module: CompatModule, imports: modules };
  }
}
