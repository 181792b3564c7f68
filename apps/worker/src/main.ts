import { ConfigError } from '@runbox/config';
import { createWorker } from './bootstrap';

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('runbox worker: must run as root (it builds namespaces, cgroups and mounts for each sandbox)');
    process.exit(1);
  }
  const app = await createWorker();
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
