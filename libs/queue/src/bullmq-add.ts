/**
 * BullMQ's own add of one job, in parts a script of runbox's can run inside itself, so that a
 * check and the add are one call and one round trip (the API's admission does this):
 *   - `BULLMQ_ADD_FUNCTION`: the installed BullMQ's script for a standard job (no delay, no
 *     priority, no parent), as the Lua function `bullmq_add(KEYS, ARGV)`;
 *   - `bullmqAddCall(job)`: the keys and arguments BullMQ builds for `job`, built by BullMQ's own
 *     code (`Job.addJob` on a client that only records the call).
 * Nothing of BullMQ's is copied: its text and its argument building are its own, so a job added
 * this way is the job `queue.add` adds. test/e2e/bullmq-layout.e2e-spec.ts compares the two
 * against the installed BullMQ, so an upgrade that changes either fails there.
 */
import type { Job } from 'bullmq';
import { addStandardJob } from 'bullmq/dist/cjs/scripts/addStandardJob-9';

/** BullMQ's add script, callable from a script of runbox's: its KEYS and ARGV are the function's. */
export const BULLMQ_ADD_FUNCTION = `local function bullmq_add(KEYS, ARGV)\n${addStandardJob.content}\nend\n`;

/** How many keys BullMQ's add takes; its arguments follow them. */
export const BULLMQ_ADD_KEYS = addStandardJob.keys;

/** The keys and arguments of BullMQ's add of one job. */
export interface BullmqAddCall {
  keys: string[];
  args: (string | Buffer)[];
}

/**
 * The call BullMQ would make to add `job` (a `new Job(queue, name, data, opts, id)`), without
 * making it. Throws for a job BullMQ would add with another script (delayed, prioritized, a child).
 */
export async function bullmqAddCall(job: Job): Promise<BullmqAddCall> {
  let call: BullmqAddCall | undefined;
  const recorder = {
    runCommand(name: string, argv: (string | Buffer)[]): Promise<string> {
      if (!name.startsWith(`${addStandardJob.name}:`)) throw new Error(`bullmqAddCall: BullMQ would add this job with ${name}`);
      call = { keys: argv.slice(0, addStandardJob.keys) as string[], args: argv.slice(addStandardJob.keys) };
      return Promise.resolve(job.id ?? '');
    },
  };
  // Job.addJob takes the client it writes to; BullMQ's types name it after its own client interface.
  await job.addJob(recorder as unknown as Parameters<Job['addJob']>[0]);
  if (!call) throw new Error('bullmqAddCall: BullMQ did not call its add script');
  return call;
}
