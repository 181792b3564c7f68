import { javaEntryFiles, javaMainClass } from './java-entry';

describe('Java entry files', () => {
  it("finds the public class with main, as Jobe's JavaTask does", () => {
    expect(javaMainClass('import x;\npublic class Hello {\n  public static void main(String[] a) {}\n}')).toBe('Hello');
    expect(javaMainClass('public class Q implements R { static public void main (String... a) {} }')).toBe('Q');
    expect(javaMainClass('class Hidden { public static void main(String[] a) {} }')).toBeUndefined();
    expect(
      javaMainClass('public class A { public static void main(String[] a) {} }\npublic class B { public static void main(String[] a) {} }'),
    ).toBeUndefined();
  });

  it('keeps a class named Main as it is, and hands main over to any other class', () => {
    expect(javaEntryFiles('public class Main { public static void main(String[] a) {} }').map((f) => f.path)).toEqual(['Main.java']);
    const files = javaEntryFiles('public class Hello { public static void main(String[] a) {} }');
    expect(files.map((f) => f.path)).toEqual(['Hello.java', 'Main.java']);
    expect(files[1]?.content).toContain('Hello.main(args);');
  });
});
