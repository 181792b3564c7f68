import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { settingsTable } from './settings-table';

describe('README configuration table', () => {
  it('is exactly the table generated from SETTINGS (run `npm run config:doc` after changing a setting)', () => {
    const readme = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
    const between = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
    expect(between?.[1]).toBe(settingsTable());
  });
});
