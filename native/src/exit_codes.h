/* exit_codes.h — the launcher's exit statuses (native/README.md "Exit status"), the same for every
 * mode and helper; the worker's copy is LAUNCHER_EXIT in libs/contract/src/launcher.ts. The
 * program's own exit code is never one of them: it lives only in the report. */
#pragma once

enum rb_exit {
    RB_EXIT_OK = 0,     /* the report is valid, whatever the program did (a helper: done) */
    RB_EXIT_FAILED = 2, /* runbox failed: the report, when one could be written, says why */
    RB_EXIT_USAGE = 64, /* bad usage (sysexits' EX_USAGE): message on stderr, nothing ran */
};
