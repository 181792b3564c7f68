/**
 * A Prometheus histogram whose buckets were counted elsewhere: workers count durations in Redis
 * (libs/queue metrics-store), and this metric only shows the latest snapshot of those counts.
 * prom-client's Histogram counts observations in this process, so the method its registry reads
 * (`getForPromString`, which `get()` also goes through) is replaced.
 */
import { Histogram, type Registry } from 'prom-client';
import { DURATION_BUCKETS_MS, type HistogramSnapshot } from '@runbox/queue';

const seconds = (ms: number) => ms / 1000;

export class RedisHistogram extends Histogram<'language'> {
  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    registry: Registry,
    private readonly read: () => readonly HistogramSnapshot[],
  ) {
    super({
      name: metricName,
      help: metricHelp,
      labelNames: ['language'],
      buckets: DURATION_BUCKETS_MS.map(seconds),
      registers: [registry],
    });
  }

  /** Not in prom-client's typings, but what its Registry and `get()` call. */
  getForPromString() {
    const name = this.metricName;
    const values = this.read().flatMap(({ language, buckets, sumMs, count }) => [
      ...DURATION_BUCKETS_MS.map((le, i) => ({
        metricName: `${name}_bucket`,
        labels: { language, le: seconds(le) },
        value: buckets[i] ?? 0,
      })),
      { metricName: `${name}_bucket`, labels: { language, le: '+Inf' }, value: count },
      { metricName: `${name}_sum`, labels: { language }, value: seconds(sumMs) },
      { metricName: `${name}_count`, labels: { language }, value: count },
    ]);
    return Promise.resolve({ name, help: this.metricHelp, type: 'histogram', values, aggregator: 'sum' });
  }
}
