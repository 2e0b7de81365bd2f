// Runs a Node child (the CLI, or a small script) with the Node of this run, timing it end to end and reading
// its peak RSS through the rss-probe preload.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = fileURLToPath(new URL('./rss-probe.ts', import.meta.url));

export interface ChildRun {
  code: number;
  ms: number;
  maxRss: number;
  stdout: string;
  stderr: string;
}

export function runNode(args: string[], env: Record<string, string>): Promise<ChildRun> {
  const rssFile = path.join(
    os.tmpdir(),
    `omni-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', PROBE, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      let maxRss = Number.NaN;
      try {
        maxRss = Number(fs.readFileSync(rssFile, 'utf8'));
        fs.rmSync(rssFile);
      } catch {}
      resolve({ code: code ?? -1, ms, maxRss, stdout, stderr });
    });
  });
}
