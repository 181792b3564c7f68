import { SETTINGS } from './env';

/** The README's table of environment variables, generated from SETTINGS so the two never differ. */
export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, s]) => {
    const def =
      s.default === undefined ? '—' : Array.isArray(s.default) ? (s.default.length ? s.default.join(',') : '(empty)') : String(s.default);
    const shown = name === 'WORKER_SLOTS' ? 'CPU cores' : def;
    return `| \`${name}\` | \`${shown}\` | ${s.doc} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
