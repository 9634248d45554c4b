import {
  Closed,
  Narrative,
  EventsOf,
  Id,
  Instant,
  IsoDuration,
  Principal,
  StringEnum,
  Text,
  v1,
} from '../shared/schema';
import { accessLogReviewFields, ReviewEveryDays } from '../shared/access-log-review';

/** The events of one dataset's stream, `dataset-<datasetId>`. */

export const DATASET_CLASSIFICATIONS = ['PHI', 'de-identified', 'synthetic'] as const;
export type DatasetClassification = (typeof DATASET_CLASSIFICATIONS)[number];

const datasetId = Id('the dataset');
const purpose = Text('the purpose of use, e.g. model-training or TREAT', 200);

export const DATASET_EVENTS = {
  DatasetRegistered: v1(
    Closed(
      {
        datasetId,
        name: Text('the dataset name', 200),
        classification: StringEnum(DATASET_CLASSIFICATIONS, 'how sensitive the data is'),
        legalBasis: Text(
          'the legal basis for processing, e.g. HIPAA treatment/operations or GDPR Art. 9(2)(h)',
          500,
        ),
        steward: Principal('the data steward answerable for the dataset'),
        source: Text('where the data comes from, e.g. the EHR extract it was taken from', 500),
        retentionPeriod: IsoDuration('how long the data is kept'),
        registeredBy: Principal('who registered the dataset'),
      },
      { description: 'A dataset entered the registry.' },
    ),
  ),

  DatasetApproved: v1(
    Closed(
      { datasetId, purpose, approvedBy: Principal('who approved the use') },
      { description: 'A dataset was approved for a purpose of use.' },
    ),
  ),

  DatasetAccessGranted: v1(
    Closed(
      {
        datasetId,
        grantId: Id('the grant'),
        principal: Principal('the person or service given access'),
        purpose,
        expiresAt: Instant('when the access ends unless revoked earlier'),
        grantedBy: Principal('who granted access'),
      },
      { description: 'A principal was given access to a dataset for an approved purpose until an expiry.' },
    ),
  ),

  DatasetAccessRevoked: v1(
    Closed(
      {
        datasetId,
        grantId: Id('the grant'),
        principal: Principal('the person or service losing access'),
        purpose,
        reason: Narrative('why access was revoked'),
        revokedBy: Principal('who revoked access'),
      },
      { description: 'A grant of access to a dataset was revoked before its expiry.' },
    ),
  ),

  DatasetAccessPolicyRecorded: v1(
    Closed(
      {
        datasetId,
        documentRef: Text('where the approved access policy lives, e.g. a document URL or id', 500),
        reviewEveryDays: ReviewEveryDays("how often the dataset's access logs must be reviewed"),
        recordedBy: Principal('who recorded the policy'),
      },
      { description: "The dataset's access policy was recorded; a later one supersedes it." },
    ),
  ),

  DatasetAccessLogReviewed: v1(
    Closed(
      { datasetId, ...accessLogReviewFields },
      { description: "The dataset's access logs for a period were reviewed." },
    ),
  ),
};

export type DatasetEvent = EventsOf<typeof DATASET_EVENTS>;
export type DatasetEventOf<T extends DatasetEvent['type']> = Extract<DatasetEvent, { type: T }>;
