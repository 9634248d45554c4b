import type { CommandMeta } from '../shared/command-meta';
import type { DatasetClassification } from './events';

interface OnDataset<T extends string> {
  type: T;
  datasetId: string;
  meta: CommandMeta;
}

export interface RegisterDataset extends OnDataset<'RegisterDataset'> {
  name: string;
  classification: DatasetClassification;
  legalBasis: string;
  steward: string;
  source: string;
  retentionPeriod: string;
}

/** The approver is `meta.actor`. */
export interface ApproveDataset extends OnDataset<'ApproveDataset'> {
  purpose: string;
}

export interface GrantDatasetAccess extends OnDataset<'GrantDatasetAccess'> {
  grantId: string;
  principal: string;
  purpose: string;
  expiresAt: string;
}

export interface RevokeDatasetAccess extends OnDataset<'RevokeDatasetAccess'> {
  grantId: string;
  reason: string;
}

export type DatasetCommand = RegisterDataset | ApproveDataset | GrantDatasetAccess | RevokeDatasetAccess;
