/**
 * For tests only (not built): a strict little XML reader and a check of a JUnit report against
 * what the JUnit schemas CI tools use require (Jenkins junit-10.xsd, the Ant JUnit.xsd):
 * testsuites > testsuite(name, tests, failures, errors, time) > testcase(name, classname, time)
 * with failure/error(message, type) children, counts that add up, elements in schema order.
 * No XML library is a dependency of this repository, so this one is small and refuses anything
 * it does not understand.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  if (/[<]/.test(s)) throw new Error(`raw "<" in ${where}`);
  return s.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`unterminated entity in ${where}: ${m.slice(0, 12)}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(name);
    if (!num) throw new Error(`unknown entity &${name}; in ${where}`);
    return String.fromCodePoint(num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : parseInt(num[1]!, 10));
  });
}

// eslint-disable-next-line no-control-regex -- XML 1.0's Char production names the control characters it allows
const ILLEGAL = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function parseXml(xml: string): XmlElement {
  if (ILLEGAL.test(xml)) throw new Error('the document contains characters XML 1.0 does not allow');
  const decl = /^<\?xml\s+version="1\.0"\s+encoding="UTF-8"\s*\?>\s*/.exec(xml);
  if (!decl) throw new Error('missing <?xml version="1.0" encoding="UTF-8"?> declaration');
  let i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml[i] === '<') {
      const end = xml.indexOf('>', i);
      if (end < 0) throw new Error('unterminated tag');
      const tag = xml.slice(i + 1, end);
      i = end + 1;
      if (tag.startsWith('/')) {
        const open = stack.pop();
        if (!open || open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${open?.name}>`);
        if (stack.length === 0) root = open;
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*\/?$/.exec(tag);
      if (!m) throw new Error(`malformed tag <${tag.slice(0, 60)}>`);
      const el: XmlElement = { name: m[1]!, attrs: {}, children: [], text: '' };
      for (const a of m[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
        if (a[1]! in el.attrs) throw new Error(`<${el.name}> repeats attribute ${a[1]}`);
        el.attrs[a[1]!] = decode(a[2]!, `attribute ${a[1]} of <${el.name}>`);
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('more than one root element');
      if (!selfClosing) stack.push(el);
      else if (stack.length === 0) root = el;
      continue;
    }
    const next = xml.indexOf('<', i);
    const text = xml.slice(i, next < 0 ? xml.length : next);
    i = next < 0 ? xml.length : next;
    if (stack.length === 0) {
      if (text.trim()) throw new Error('text outside the root element');
      continue;
    }
    stack[stack.length - 1]!.text += decode(text, `<${stack[stack.length - 1]!.name}>`);
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) throw new Error('no root element');
  return root;
}

const isCount = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);
const isTime = (s: string | undefined) => s !== undefined && /^\d+(\.\d+)?$/.test(s);

function need(ok: boolean, what: string): void {
  if (!ok) throw new Error(`JUnit: ${what}`);
}

function checkSuite(s: XmlElement): { tests: number; failures: number; errors: number } {
  const at = `<testsuite name="${s.attrs.name}">`;
  need(s.name === 'testsuite', `<testsuites> may only hold <testsuite>, not <${s.name}>`);
  need(!!s.attrs.name, `${at} needs a name`);
  for (const a of ['tests', 'failures', 'errors']) need(isCount(s.attrs[a]), `${at} needs a count ${a}`);
  if (s.attrs.skipped !== undefined) need(isCount(s.attrs.skipped), `${at} skipped must be a count`);
  need(isTime(s.attrs.time), `${at} needs time in seconds`);
  if (s.attrs.timestamp !== undefined)
    need(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(s.attrs.timestamp), `${at} timestamp must be ISO 8601 without a zone`);
  const order = ['properties', 'testcase', 'system-out', 'system-err'];
  let last = 0;
  const seen = new Set<string>();
  for (const c of s.children) {
    const pos = order.indexOf(c.name);
    need(pos >= 0, `${at} may not hold <${c.name}>`);
    need(pos >= last, `${at}: <${c.name}> out of schema order`);
    need(c.name === 'testcase' || !seen.has(c.name), `${at}: more than one <${c.name}>`);
    seen.add(c.name);
    last = pos;
    if (c.name === 'properties')
      for (const p of c.children) need(p.name === 'property' && 'name' in p.attrs && 'value' in p.attrs, '<property> needs name and value');
  }
  const cases = s.children.filter((c) => c.name === 'testcase');
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const c of cases) {
    need(!!c.attrs.name, `${at}: a <testcase> needs a name`);
    need(!!c.attrs.classname, `<testcase name="${c.attrs.name}"> needs a classname`);
    need(isTime(c.attrs.time), `<testcase name="${c.attrs.name}"> needs time in seconds`);
    for (const k of c.children) {
      need(['skipped', 'error', 'failure', 'system-out', 'system-err'].includes(k.name), `<testcase> may not hold <${k.name}>`);
      if (k.name === 'failure' || k.name === 'error') need('message' in k.attrs && 'type' in k.attrs, `<${k.name}> needs message and type`);
    }
    failures += c.children.filter((k) => k.name === 'failure').length;
    errors += c.children.filter((k) => k.name === 'error').length;
    skipped += c.children.filter((k) => k.name === 'skipped').length;
  }
  need(Number(s.attrs.tests) === cases.length, `${at} tests=${s.attrs.tests} but has ${cases.length} testcases`);
  need(Number(s.attrs.failures) === failures, `${at} failures=${s.attrs.failures} but has ${failures}`);
  need(Number(s.attrs.errors) === errors, `${at} errors=${s.attrs.errors} but has ${errors}`);
  if (s.attrs.skipped !== undefined) need(Number(s.attrs.skipped) === skipped, `${at} skipped=${s.attrs.skipped} but has ${skipped}`);
  return { tests: cases.length, failures, errors };
}

/** Parses and checks a JUnit report; throws naming the first problem, returns the tree. */
export function checkJUnit(xml: string): XmlElement {
  const root = parseXml(xml);
  need(root.name === 'testsuites', `the root must be <testsuites>, not <${root.name}>`);
  need(root.children.length > 0, '<testsuites> holds no <testsuite>');
  const totals = root.children
    .map(checkSuite)
    .reduce((a, b) => ({ tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors }));
  for (const k of ['tests', 'failures', 'errors'] as const) {
    if (root.attrs[k] !== undefined)
      need(Number(root.attrs[k]) === totals[k], `<testsuites> ${k}=${root.attrs[k]} but the suites have ${totals[k]}`);
  }
  return root;
}

/** Every element named `name` under `el`, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => findAll(c, name))];
}
