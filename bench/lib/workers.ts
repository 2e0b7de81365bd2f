// A pool of worker processes, each with its own database connection, driven over IPC. Each worker is a
// separate Node process (like Omni's workers), so client-side work (validation, JSON) runs in parallel too.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Mode = 'record' | 'raw-insert';

export interface RunCommand {
  type: 'run';
  mode: Mode;
  /** Rows per call (recordUsage call, or multi-row INSERT statement). */
  batch: number;
  /** Epoch ms: start together, stop together. */
  startAt: number;
  until: number;
  /** Batch job ids the rows belong to (one picked at random per call); empty = no batch. */
  batchIds: string[];
  keyPrefix: string;
  seed: number;
  /** occurred_at of the rows: [now - spreadMs, now]. */
  spreadMs: number;
}

export interface IngestCommand {
  type: 'ingest';
  batch: number;
  total: number;
  /** Rows are spread evenly in time over [fromMs, toMs), in order. */
  fromMs: number;
  toMs: number;
  keyPrefix: string;
  seed: number;
  sampleEvery: number;
}

export interface RunResult {
  rows: number;
  calls: number;
  errors: number;
  firstError?: string;
  ms: number;
}

export interface IngestResult {
  rows: number;
  ms: number;
  samples: Array<{ rows: number; rss: number; heapUsed: number; t: number }>;
  maxRss: number;
}

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

export class WorkerPool {
  private readonly children: ChildProcess[];

  private constructor(children: ChildProcess[]) {
    this.children = children;
  }

  static async start(url: string, size: number): Promise<WorkerPool> {
    const children = Array.from({ length: size }, () =>
      fork(CHILD, [], { execPath: process.execPath, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const pool = new WorkerPool(children);
    await Promise.all(children.map((c, i) => pool.ask(c, { type: 'init', url, id: i })));
    return pool;
  }

  get size(): number {
    return this.children.length;
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid!);
  }

  private ask<T>(child: ChildProcess, message: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { ok: boolean; value?: T; error?: string }) => {
        child.off('exit', onExit);
        if (m.ok) resolve(m.value as T);
        else reject(new Error(m.error));
      };
      const onExit = (code: number) => {
        child.off('message', onMessage);
        reject(new Error(`worker exited with ${code}`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send(message as never);
    });
  }

  /** Runs the command on the first n workers at once (each with its own seed and key prefix). */
  run(n: number, cmd: Omit<RunCommand, 'type'>): Promise<RunResult[]> {
    return Promise.all(
      this.children.slice(0, n).map((c, i) =>
        this.ask<RunResult>(c, {
          ...cmd,
          type: 'run',
          keyPrefix: `${cmd.keyPrefix}w${i}-`,
          seed: cmd.seed + i,
        }),
      ),
    );
  }

  ingest(cmd: Omit<IngestCommand, 'type'>): Promise<IngestResult> {
    return this.ask<IngestResult>(this.children[0], { ...cmd, type: 'ingest' });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.send({ type: 'exit' });
          }),
      ),
    );
  }
}
