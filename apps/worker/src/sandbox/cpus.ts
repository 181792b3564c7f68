/**
 * Which CPUs each slot's runs may use. The launcher pins a run to its slot's CPUs through the
 * cgroup (cpuset), so no sched_setaffinity takes it further and its CPU-time check knows how many
 * CPUs the program can burn at once. The worker's own CPUs are split across slots: with at least
 * as many slots as CPUs (the default, one slot per core) each slot gets one CPU, shared round-robin
 * when there are more slots; with fewer slots each gets an equal block. So a program, however many
 * threads it starts, competes only with the runs of its own CPUs and not with every other slot's.
 */

/** Parses a kernel CPU list ("0-3,6"). */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`bad CPU list ${JSON.stringify(list)}`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let c = first; c <= last; c++) cpus.push(c);
  }
  return cpus;
}

/** The CPUs of slot `index` (host-wide slot number) out of `cpus`, for `slots` slots per worker. */
export function slotCpus(cpus: readonly number[], slots: number, index: number): string {
  const per = Math.max(1, Math.floor(cpus.length / slots));
  const mine = Array.from({ length: per }, (_, k) => cpus[(index * per + k) % cpus.length]!);
  return mine.join(',');
}

/** The CPUs this process may run on (its affinity, which the launcher's runs inherit by default). */
export function ownCpus(status: string): number[] {
  const m = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status);
  if (!m) throw new Error('no Cpus_allowed_list in /proc/self/status');
  return parseCpuList(m[1]!);
}
