/**
 * runbox runs Java as `java Main` (languages.json). Piston runs a source file of any name and
 * Jobe names it after its public class, so programs of both declare `public class Hello`, which
 * javac only compiles from Hello.java. The program keeps its class and file name, and a
 * two-line Main.java hands `main` over to it.
 */
import type { SourceFile } from '@runbox/contract';

/**
 * The class Jobe takes as the program's (trampgeek/jobe app/Libraries/JavaTask.php
 * `getMainClass`): a public class with a `static void main(String`, found exactly once.
 */
const MAIN_CLASS = /(^|\W)public\s+class\s+(\w+)[^{]*\{.*?(public\s+static|static\s+public)\s+void\s+main\s*\(\s*String/gms;

export function javaMainClass(source: string): string | undefined {
  const matches = [...source.matchAll(MAIN_CLASS)];
  return matches.length === 1 ? matches[0]?.[2] : undefined;
}

/** The files that run `source` as `java Main`; `className` when the caller knows it (Jobe's sourcefilename). */
export function javaEntryFiles(source: string, className = javaMainClass(source)): SourceFile[] {
  if (!className || className === 'Main') return [{ path: 'Main.java', content: source, encoding: 'utf8' }];
  const launcher = `public class Main {\n  public static void main(String[] args) throws Throwable { ${className}.main(args); }\n}\n`;
  return [
    { path: `${className}.java`, content: source, encoding: 'utf8' },
    { path: 'Main.java', content: launcher, encoding: 'utf8' },
  ];
}
