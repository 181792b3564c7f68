/** The help texts. The exit-code table is rendered from exit-codes.ts, the one definition. */
import { DEFAULT_TIMEOUT_MS, DEFAULT_URL } from './args';
import { EXIT_TABLE } from './exit-codes';

export function exitCodeTable(): string {
  return EXIT_TABLE.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`).join('\n');
}

const CONNECTION = `  --url URL            the runbox server (default: $RUNBOX_URL, else ${DEFAULT_URL})
  --api-key KEY        sent as "Authorization: Bearer KEY" (default: $RUNBOX_API_KEY)`;

const RUN = `runbox run FILE... [options]

Submits FILE(s) to runbox, waits for the job (a progress bar over the tests on a terminal,
plain lines otherwise, on stderr), prints the result and exits with the verdict's code.
One FILE is sent as the program; with several, the first is the entry file (renamed to the
language's main file, e.g. main.py or Main.java) and the others keep their relative paths.

  -l, --language L     language id or alias (default: from FILE's extension)
      --stdin FILE     the program's standard input ("-" reads runbox's own stdin)
  -t, --tests DIR      tests: NAME.in + NAME.out (or .ans), or NAME/input + NAME/output;
                       sorted naturally (2 before 10), one point each
  -c, --checker C      how outputs are judged: exact | lines (default) | tokens |
                       float[:ABS[:REL]] (tolerances, e.g. float:1e-6) | custom:FILE
                       (a checker program: exit 0 ok, 1 or 2 wrong answer)
      --junit FILE     also write a JUnit XML report (for CI test reports)
      --json           print the job as JSON instead of the readable result
      --timeout-ms N   give up (and cancel the job) after N ms (default ${DEFAULT_TIMEOUT_MS})
${CONNECTION}`;

const LANGUAGES = `runbox languages [options]

Lists the languages the server's workers have installed.

${CONNECTION}
      --json           print the list as JSON`;

export function helpText(topic: 'run' | 'languages' | undefined, version: string): string {
  if (topic === 'run') return `${RUN}\n\nExit codes:\n${exitCodeTable()}\n`;
  if (topic === 'languages') return `${LANGUAGES}\n`;
  return `runbox ${version}: run code on a runbox server, from a terminal or a CI job

Usage:
  runbox run FILE... [options]   submit, wait, print the result; exit code = verdict
  runbox languages [options]     list the server's languages
  runbox help [run|languages]    more about a command
  runbox --version

${RUN}

${LANGUAGES}

Exit codes:
${exitCodeTable()}
`;
}
