/**
 * Piston's interactive WebSocket, `GET /api/v2/connect` (engineer-man/piston `api/src/api/v2.js`
 * `router.ws('/connect')`), over a runbox live session (jobs/live-session.ts). The client sends
 * `init` (an execute body) within a second, then `data` (stdin) and `signal` messages; it gets
 * `runtime`, `stage`, `data` (stdout, stderr), `exit` per stage, and `error` before a 4002 close.
 * Close codes as Piston's: 4000 already initialized, 4001 init timeout, 4002 notified error,
 * 4003 not initialized, 4004 can only write to stdin, 4005 invalid signal, 4999 job completed.
 *
 * Where runbox differs, and why: a session needs an API key like every route (sent on the
 * upgrade request; without one: `error` + 4002); a `signal` of any of Piston's names kills the
 * program (the sandbox has one way to stop a run: all of it, SIGKILL), and its `exit` says so;
 * stdin is bounded by MAX_STDIN_BYTES; a client that leaves takes its program with it.
 */
import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { JobView, LiveMessage, LiveStage } from '@runbox/contract';
import { Config } from '@runbox/config';
import { loadApiKeys, type ApiKey } from '../../auth/api-keys';
import { authenticate } from '../../auth/authenticate';
import type { Caller } from '../../auth/caller';
import { LiveSessions, type Session } from '../../jobs/live-session';
import { PistonService } from './piston.service';

/** Piston ends a socket that has not sent `init` after this long. */
export const INIT_TIMEOUT_MS = 1_000;

/** Piston's close codes (v2.js), by what they mean. */
export const CLOSE = {
  alreadyInitialized: [4000, 'Already Initialized'],
  initTimeout: [4001, 'Initialization Timeout'],
  notifiedError: [4002, 'Notified Error'],
  notInitialized: [4003, 'Not yet initialized'],
  onlyStdin: [4004, 'Can only write to stdin'],
  invalidSignal: [4005, 'Invalid signal'],
  completed: [4999, 'Job Completed'],
} as const satisfies Record<string, readonly [number, string]>;

/** The signal names Piston accepts (its `globals.SIGNALS`). */
const SIGNALS = new Set([
  ...'HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS'
    .split(' ')
    .map((s) => `SIG${s}`),
  'SIGRTMIN',
  ...Array.from({ length: 15 }, (_, i) => `SIGRTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `SIGRTMAX-${14 - i}`),
  'SIGRTMAX',
]);

type Obj = Record<string, unknown>;

@Injectable()
export class PistonConnect {
  private readonly keys: ApiKey[];

  constructor(
    config: Config,
    private readonly piston: PistonService,
    private readonly sessions: LiveSessions,
  ) {
    this.keys = loadApiKeys(config.auth.keys, config.auth.keysFile);
  }

  /** Speaks Piston's protocol on `ws`, opened by upgrade request `req`. */
  serve(ws: WebSocket, req: IncomingMessage): void {
    const send = (m: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const close = ([code, reason]: readonly [number, string]) => {
      if (ws.readyState === ws.OPEN) ws.close(code, reason);
    };
    // Piston's error path: the message over the socket (a close reason holds 123 bytes), then 4002.
    const notify = (message: string) => {
      send({ type: 'error', message });
      close(CLOSE.notifiedError);
    };
    let caller: Caller;
    try {
      caller = authenticate(this.keys, req.headers, req.socket.remoteAddress).caller;
    } catch (e) {
      return notify((e as Error).message);
    }

    let opening: Promise<Session> | undefined;
    let session: Session | undefined;
    let gone = false;
    /** Published before the runtime message went out: sent right after it. */
    let early: LiveMessage[] | null = [];
    let stage: LiveStage | undefined;
    let exited = false;
    const timer = setTimeout(() => {
      if (!opening) close(CLOSE.initTimeout);
    }, INIT_TIMEOUT_MS);

    const relay = (m: LiveMessage) => {
      if (early) return void early.push(m);
      if (m.type === 'stage') {
        stage = m.stage;
        exited = false;
        send({ type: 'stage', stage: m.stage });
      } else if (m.type === 'output') {
        send({ type: 'data', stream: m.stream, data: m.data });
      } else {
        exited = true;
        send({ type: 'exit', stage: m.stage, code: m.code, signal: m.signal });
      }
    };
    const end = (view: JobView | undefined) => {
      if (view?.status === 'failed') return notify(view.error ?? 'the program could not be run');
      // Killed (a signal, a cancel): its run published no end of its own.
      if (stage && !exited) send({ type: 'exit', stage, code: null, signal: 'SIGKILL' });
      close(CLOSE.completed);
    };

    const init = async (msg: Obj): Promise<Session> => {
      const job = await this.piston.connectJob(msg);
      session = await this.sessions.open(job.request, caller, { message: relay, end });
      if (gone) session.close();
      send({ type: 'runtime', language: job.runtime.language, version: job.runtime.version });
      const queued = early ?? [];
      early = null;
      queued.forEach(relay);
      return session;
    };

    const onMessage = async (raw: Buffer) => {
      let msg: unknown;
      try {
        msg = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        return notify((e as Error).message);
      }
      if (typeof msg !== 'object' || msg === null) return notify('a message must be a JSON object');
      const m = msg as Obj;
      switch (m.type) {
        case 'init':
          if (opening) return close(CLOSE.alreadyInitialized);
          opening = init(m);
          await opening;
          return;
        case 'data':
          if (!opening) return close(CLOSE.notInitialized);
          if (m.stream !== 'stdin') return close(CLOSE.onlyStdin);
          if (typeof m.data !== 'string') return notify('data must be a string');
          return (await opening).write(m.data);
        case 'signal':
          if (!opening) return close(CLOSE.notInitialized);
          if (typeof m.signal !== 'string' || !SIGNALS.has(m.signal)) return close(CLOSE.invalidSignal);
          return (await opening).kill();
        default:
          return; // Piston ignores other types
      }
    };

    // One message at a time, in order: a data message right after init waits for its session.
    let queue = Promise.resolve();
    ws.on('message', (raw: Buffer) => {
      queue = queue.then(() => onMessage(raw)).catch((e: unknown) => notify((e as Error).message));
    });
    ws.on('close', () => {
      gone = true;
      clearTimeout(timer);
      session?.close();
    });
    ws.on('error', () => undefined); // a broken connection ends in 'close'
  }
}
