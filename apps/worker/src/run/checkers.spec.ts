import { check, checkFloat, checkLines, checkTokens } from './checkers';

describe('built-in checkers', () => {
  it('exact compares every byte', () => {
    expect(check({ type: 'exact' }, '3\n', '3\n').verdict).toBe('ok');
    expect(check({ type: 'exact' }, '3 \n', '3\n')).toMatchObject({ verdict: 'wrong_answer', message: 'output differs at byte 1' });
  });

  it('lines ignores trailing whitespace per line and trailing blank lines, nothing else', () => {
    expect(checkLines('a  \nb\t\n\n\n', 'a\nb').verdict).toBe('ok');
    expect(checkLines('a\r\nb\r\n', 'a\nb\n').verdict).toBe('ok');
    expect(checkLines(' a\nb', 'a\nb')).toMatchObject({ verdict: 'wrong_answer', message: expect.stringContaining('line 1') });
    expect(checkLines('a\n\nb', 'a\nb').verdict).toBe('wrong_answer');
    expect(checkLines('a', 'a\nb')).toMatchObject({ message: expect.stringContaining('output ended') });
  });

  it('tokens ignores all whitespace', () => {
    expect(checkTokens('1   2\n3\n', '1 2 3').verdict).toBe('ok');
    expect(checkTokens('1 2', '1 2 3')).toMatchObject({ verdict: 'wrong_answer', message: expect.stringContaining('end of output') });
  });

  it('float accepts numbers within the absolute or the relative tolerance', () => {
    expect(checkFloat('0.3333334', '0.333333', 1e-6, 0).verdict).toBe('ok');
    expect(checkFloat('0.3334', '0.333333', 1e-6, 0).verdict).toBe('wrong_answer');
    expect(checkFloat('1000001', '1000000', 0, 1e-6).verdict).toBe('ok');
    expect(checkFloat('1000010', '1000000', 0, 1e-6).verdict).toBe('wrong_answer');
    expect(checkFloat('1e3 yes', '1000.0000001 yes', 1e-6, 1e-6).verdict).toBe('ok');
    expect(checkFloat('1 no', '1 yes', 1, 1).verdict).toBe('wrong_answer');
    expect(checkFloat('1 2', '1', 1, 1)).toMatchObject({ message: 'expected 1 tokens, got 2' });
    expect(checkFloat('nan', 'NaN', 0, 0).verdict).toBe('ok');
  });
});
