export { projectionConsumer, utc, type ProjectionConsumer, type ProjectionDefinition } from './projection';
export { TableSuffixPlugin } from './table-suffix-plugin';
export { registryProjection } from './registry/registry-projection';
export type { RegistryTables } from './registry/registry-tables';
export { dataAccessProjection, type DataAccessTables } from './data-access/data-access-projection';
export { timelineProjection, type TimelineTables } from './timeline/timeline-projection';

import { dataAccessProjection } from './data-access/data-access-projection';
import { registryProjection } from './registry/registry-projection';
import { timelineProjection } from './timeline/timeline-projection';

/** Every read model the API serves, by name (the names `govledger rebuild-projections` takes). */
export const PROJECTIONS = [registryProjection, dataAccessProjection, timelineProjection] as const;
