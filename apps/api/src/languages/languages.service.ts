import { Injectable } from '@nestjs/common';
import { WorkerHeartbeats } from '../fleet/worker-heartbeats';
import { availableLanguages, type AvailableLanguage } from './available-languages';

@Injectable()
export class LanguagesService {
  constructor(private readonly workers: WorkerHeartbeats) {}

  async installed(): Promise<AvailableLanguage[]> {
    return availableLanguages(await this.workers.list());
  }
}
