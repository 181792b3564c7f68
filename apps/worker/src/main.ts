import { ConfigError, loadConfig } from '@runbox/config';
import { createWorker } from './bootstrap';
import { describeAdopted, enterOwnNamespace, needsOwnNamespace, prepareRootless, RootlessError } from './sandbox/rootless';

async function main(): Promise<void> {
  const config = loadConfig();
  if (needsOwnNamespace(config)) return enterOwnNamespace(config.worker.launcherPath);
  if (process.getuid?.() !== 0) {
    console.error(
      'runbox worker: SANDBOX_MODE=root needs root (it builds namespaces, cgroups and mounts for each sandbox); a worker without root is SANDBOX_MODE=rootless (README "Rootless worker")',
    );
    process.exit(1);
  }
  if (config.worker.sandboxMode === 'rootless') for (const line of describeAdopted(prepareRootless(config))) console.log(line);
  const app = await createWorker();
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError || e instanceof RootlessError ? e.message : e);
  process.exit(1);
});
