/**
 * Probe programs for the security suites: a Python loop that tries one action per row and prints
 * what the kernel answered, `<name> ok` or `<name> <ERRNO>` (EACCES, EAFNOSUPPORT, …). The
 * sandbox refuses; the test only reads the answers back with readProbe.
 */

/**
 * The loop's lines. Each row is `[name, ...values]`, bound to `name, <params>` (a Python target
 * list); `action` is the statements tried, indented by the loop. Rows are JSON, which Python reads
 * as list literals as long as they hold only strings and numbers.
 */
export function pythonProbe(rows: readonly (readonly (string | number)[])[], params: string, action: readonly string[]): string[] {
  return [
    'import errno',
    `for name, ${params} in ${JSON.stringify(rows)}:`,
    '    try:',
    ...action.map((line) => `        ${line}`),
    '        print(name, "ok")',
    '    except OSError as e:',
    '        print(name, errno.errorcode[e.errno])',
  ];
}

/** A probe's answers by name: each line is a name (which may hold spaces), a space, and the answer. */
export function readProbe(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), l.slice(l.lastIndexOf(' ') + 1)]),
  );
}
