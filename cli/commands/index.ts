// Every omni command, by id (explicit oclif command discovery).
import BatchCreate from './batch/create.ts';
import BatchEstimate from './batch/estimate.ts';
import BatchStatus from './batch/status.ts';
import CostsExplain from './costs/explain.ts';
import Costs from './costs/index.ts';
import CostsMessage from './costs/message.ts';
import DbMigrate from './db/migrate.ts';
import DbStart from './db/start.ts';
import DbStop from './db/stop.ts';
import Demo from './demo.ts';
import PricingEstimates from './pricing/estimates.ts';
import PricingGaps from './pricing/gaps.ts';
import PricingHistory from './pricing/history.ts';
import PricingList from './pricing/list.ts';
import PricingReprice from './pricing/reprice.ts';
import PricingSet from './pricing/set.ts';
import PricingSync from './pricing/sync.ts';
import UsageExtract from './usage/extract.ts';
import UsageRecord from './usage/record.ts';
import ViewsRefresh from './views/refresh.ts';
import Worker from './worker.ts';

export const commands = {
  'batch:create': BatchCreate,
  'batch:estimate': BatchEstimate,
  'batch:status': BatchStatus,
  costs: Costs,
  'costs:explain': CostsExplain,
  'costs:message': CostsMessage,
  'db:migrate': DbMigrate,
  'db:start': DbStart,
  'db:stop': DbStop,
  demo: Demo,
  'pricing:estimates': PricingEstimates,
  'pricing:gaps': PricingGaps,
  'pricing:history': PricingHistory,
  'pricing:list': PricingList,
  'pricing:reprice': PricingReprice,
  'pricing:set': PricingSet,
  'pricing:sync': PricingSync,
  'usage:extract': UsageExtract,
  'usage:record': UsageRecord,
  'views:refresh': ViewsRefresh,
  worker: Worker,
};
