import { loadConfig } from '@runbox/config';
import { parseRunSpec, toJobRequest } from './jobe-request';
import { JobeError } from './jobe.errors';

const config = loadConfig({});
const installed = () => true;
const parse = (run_spec: object) => parseRunSpec({ run_spec }, installed, config);

describe('Jobe run_spec', () => {
  it('maps parameters to runbox limits in runbox units (wall time = twice the CPU time, as runguard kills)', () => {
    const spec = parse({
      language_id: 'Python3',
      sourcecode: 'print(1)',
      parameters: { cputime: 3, memorylimit: 200, numprocs: 10, streamsize: 1, runargs: ['x', 2] },
    });
    expect(toJobRequest(spec, [], 'main.py')).toEqual({
      language: 'python',
      files: [{ path: 'main.py', content: 'print(1)', encoding: 'utf8' }],
      stdin: '',
      args: ['x', '2'],
      limits: { cpuTimeMs: 3000, wallTimeMs: 6000, memoryMb: 200, processes: 10, outputBytes: 1_000_000 },
    });
  });

  it("puts compileargs then linkargs after the compile command, split as Jobe's shell line splits them; none for an interpreter", () => {
    const c = parse({ language_id: 'c', sourcecode: '', parameters: { compileargs: ['-Wall', '-x c'], linkargs: ['-lm'] } });
    expect(toJobRequest(c, [], 'main.c')?.compileArgs).toEqual(['-Wall', '-x', 'c', '-lm']);
    const py = parse({ language_id: 'python3', sourcecode: '', parameters: { compileargs: ['-x'] } });
    expect(toJobRequest(py, [], 'main.py')).not.toHaveProperty('compileArgs');
  });

  it("uses Jobe's defaults when parameters are absent or not numbers", () => {
    const spec = parse({ language_id: 'c', sourcecode: '', parameters: { cputime: 'soon' } });
    expect(toJobRequest(spec, [], 'main.c')?.limits).toEqual({
      cpuTimeMs: 5000,
      wallTimeMs: 10000,
      memoryMb: 400,
      processes: 30,
      outputBytes: 2_000_000,
    });
  });

  it('puts support files after the program, and a support file of the same name wins (Jobe writes them last)', () => {
    const spec = parse({
      language_id: 'python3',
      sourcecode: 'mine',
      file_list: [
        ['abcdefgh1', 'main.py'],
        ['abcdefgh2', 'd.txt'],
      ],
    });
    const files = toJobRequest(spec, [Buffer.from('theirs'), Buffer.from('d')], 'main.py')!.files;
    expect(files).toEqual([
      { path: 'main.py', content: Buffer.from('theirs').toString('base64'), encoding: 'base64' },
      { path: 'd.txt', content: Buffer.from('d').toString('base64'), encoding: 'base64' },
    ]);
  });

  it.each([
    [{ run_spec: 'x' }, 'No run_spec attribute found in post data'],
    [{ run_spec: { language_id: 'c', sourcecode: '', sourcefilename: '.hidden' } }, 'The sourcefilename for the run_spec is illegal'],
    [
      { run_spec: { language_id: 'c', sourcecode: '', parameters: { memorylimit: 10 ** 6 } } },
      'memorylimit exceeds maximum allowed on this Jobe server (2048 MB)',
    ],
    [
      { run_spec: { language_id: 'c', sourcecode: '', file_list: [['abcdefgh1', 'a b']] } },
      'Invalid file specifier: Array\n(\n    [0] => abcdefgh1\n    [1] => a b\n)\n',
    ],
    [
      { run_spec: { language_id: 'c', sourcecode: '', file_list: Array.from({ length: 20 }, (_, i) => [`abcdefgh${i}`, `f${i}`]) } },
      'file_list has more files than this server runs with a program (19)',
    ],
  ])("refuses %j with Jobe's message", (body, message) => {
    expect(() => parseRunSpec(body, installed, config)).toThrow(new JobeError(400, message));
  });

  it('knows only the languages the workers have', () => {
    expect(() => parseRunSpec({ run_spec: { language_id: 'octave', sourcecode: '' } }, (id) => id !== 'octave', config)).toThrow(
      "Language 'octave' is not known",
    );
  });
});
