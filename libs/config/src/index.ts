export { COMPAT_API_NAMES, SETTINGS, type CompatApiName, type SettingName } from './env';
export { Config, ConfigError, loadConfig, repoRoot } from './load-config';
export { ConfigModule } from './config.module';
export { settingsTable } from './settings-table';
