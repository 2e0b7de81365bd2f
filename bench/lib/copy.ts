// COPY … FROM STDIN through node-postgres without an extra dependency: a "submittable" that answers the
// server's CopyInResponse with the data, as pg-copy-streams does.
import type pg from 'pg';

interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyFrom {
  private error: Error | undefined;
  private rowCount = 0;
  readonly done: Promise<number>;
  private resolve!: (n: number) => void;
  private reject!: (e: Error) => void;

  private readonly text: string;
  private readonly data: Buffer;

  constructor(text: string, data: Buffer) {
    this.text = text;
    this.data = data;
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    const chunk = 1 << 16;
    for (let i = 0; i < this.data.length; i += chunk)
      connection.sendCopyFromChunk(this.data.subarray(i, i + chunk));
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.rowCount = Number(/\d+$/.exec(msg.text ?? '')?.[0] ?? 0);
  }

  handleError(error: Error): void {
    this.error = error;
  }

  handleReadyForQuery(): void {
    if (this.error) this.reject(this.error);
    else this.resolve(this.rowCount);
  }

  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** COPY table (columns) FROM STDIN (text format) with the given rows; returns the rows copied. */
export async function copyRows(
  c: pg.Client,
  table: string,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): Promise<number> {
  const lines = rows.map((r) => columns.map((col) => copyValue(r[col])).join('\t')).join('\n');
  const op = new CopyFrom(
    `COPY ${table} (${columns.join(', ')}) FROM STDIN`,
    Buffer.from(rows.length ? `${lines}\n` : '', 'utf8'),
  );
  c.query(op as unknown as pg.QueryConfig);
  return op.done;
}

function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
