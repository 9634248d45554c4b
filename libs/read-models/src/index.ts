export * from './projections';
export * from './queries';
export { rebuildProjection, type RebuildProgress, type RebuildResult } from './rebuild';
