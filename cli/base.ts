// Base of every omni command: --json (keys are snake_case column names), compact JSON errors, and
// a database opened on demand (DATABASE_URL, or the embedded server) and closed at the end.
import { Command } from '@oclif/core';
import { OmniError } from '../src/db/errors.ts';
import { type OpenDb, openDb } from '../src/db/open.ts';
import { renderTable } from './table.ts';

export abstract class OmniCommand extends Command {
  static enableJsonFlag = true;
  private opened?: OpenDb;

  protected async database(options: { maximumPoolSize?: number } = {}): Promise<OpenDb> {
    this.opened ??= await openDb(options);
    return this.opened;
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    await this.opened?.close().catch(() => undefined);
    return super.finally(error);
  }

  protected async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof OmniError) {
      // Known failures: one clear, unwrapped line (or a JSON error), exit code 2 for bad input, 1 otherwise.
      const exit = error.code === 'INVALID_INPUT' ? 2 : 1;
      if (this.jsonEnabled()) this.logJson({ error: { message: error.message, code: error.code, exit } });
      else process.stderr.write(`Error: ${error.message}\n`);
      process.exitCode = exit;
      return undefined;
    }
    return super.catch(error);
  }

  protected toErrorJson(error: unknown): unknown {
    const e = error as { message?: string; code?: string; oclif?: { exit?: number } };
    return { error: { message: e.message, code: e.code, exit: e.oclif?.exit ?? 1 } };
  }

  /** Prints a table when not in --json mode. */
  protected table(rows: Record<string, unknown>[], columns?: string[]): void {
    if (this.jsonEnabled()) return;
    this.log(renderTable(rows, columns));
  }
}
