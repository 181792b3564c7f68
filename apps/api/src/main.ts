import { loadConfig } from '@runbox/config';
import { createApi, refuseOpenListen } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  refuseOpenListen(config);
  const app = await createApi(config);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
}

main().catch((e: unknown) => {
  // A bad setting or an unreachable dependency at start-up: say what, and exit non-zero.
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
