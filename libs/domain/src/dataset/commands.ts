import type { CommandMeta } from '../shared/command-meta';
import type { AccessLogReviewFields } from '../ai-system/commands';
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

/** Sets how often the dataset's access logs must be reviewed (HIPAA §164.308(a)(1)(ii)(D)). */
export interface RecordDatasetAccessPolicy extends OnDataset<'RecordDatasetAccessPolicy'> {
  documentRef: string;
  reviewEveryDays: number;
}

/** The reviewer is `meta.actor` and the review happens at `meta.at`. */
export interface RecordDatasetAccessLogReview
  extends OnDataset<'RecordDatasetAccessLogReview'>, AccessLogReviewFields {}

export type DatasetCommand =
  | RegisterDataset
  | ApproveDataset
  | GrantDatasetAccess
  | RevokeDatasetAccess
  | RecordDatasetAccessPolicy
  | RecordDatasetAccessLogReview;
