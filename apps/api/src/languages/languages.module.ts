import { Module } from '@nestjs/common';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { FleetModule } from '../fleet/fleet.module';
import { LanguagesController } from './languages.controller';
import { LanguagesService } from './languages.service';

/** The language table (what a request may name) and the list of what workers have installed. */
@Module({
  imports: [FleetModule],
  controllers: [LanguagesController],
  providers: [
    LanguagesService,
    { provide: LanguageRegistry, inject: [Config], useFactory: (c: Config) => LanguageRegistry.fromFile(c.languagesFile) },
  ],
  exports: [LanguageRegistry, LanguagesService],
})
export class LanguagesModule {}
