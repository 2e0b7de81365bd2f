// Every omni command, by id (explicit oclif command discovery).
import BatchCreate from './batch/create.ts';
import DbMigrate from './db/migrate.ts';
import DbStart from './db/start.ts';
import DbStop from './db/stop.ts';
import UsageRecord from './usage/record.ts';
import ViewsRefresh from './views/refresh.ts';
import Worker from './worker.ts';

export const commands = {
  'batch:create': BatchCreate,
  'db:migrate': DbMigrate,
  'db:start': DbStart,
  'db:stop': DbStop,
  'usage:record': UsageRecord,
  'views:refresh': ViewsRefresh,
  worker: Worker,
};
