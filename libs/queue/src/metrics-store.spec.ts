import { bucketOf, DURATION_BUCKETS_MS, parseHistogram } from './metrics-store';

describe('metrics store', () => {
  it('counts a duration in the first bucket it does not exceed', () => {
    expect(bucketOf(0)).toBe('5');
    expect(bucketOf(5)).toBe('5');
    expect(bucketOf(6)).toBe('10');
    expect(bucketOf(DURATION_BUCKETS_MS.at(-1)! + 1)).toBe('inf');
  });

  it('reads bucket counters back cumulative, per language', () => {
    const [c, py] = parseHistogram({
      'python|5': '2',
      'python|100': '1',
      'python|inf': '1',
      'python|sum': '130000',
      'python|count': '4',
      'c|10': '1',
      'c|sum': '7',
      'c|count': '1',
      'python|bogus': '9',
      'Not A Language|5': '1',
      'python|5.5': '3',
    });
    expect(c).toMatchObject({ language: 'c', sumMs: 7, count: 1 });
    expect(c!.buckets).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(py).toMatchObject({ language: 'python', sumMs: 130000, count: 4 });
    expect(py!.buckets.slice(0, 5)).toEqual([2, 2, 2, 2, 3]);
    expect(py!.buckets.at(-2)).toBe(3);
    expect(py!.buckets.at(-1)).toBe(4);
  });
});
