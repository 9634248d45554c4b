import { Type, type Static } from '@sinclair/typebox';
import {
  Closed,
  EventsOf,
  type EventSchema,
  Id,
  Instant,
  IsoDuration,
  NonEmptyList,
  Narrative,
  Principal,
  Sha256Hex,
  StringEnum,
  Text,
  v1,
  v2,
} from '../shared/schema';
import { accessLogReviewFields, ReviewEveryDays } from '../shared/access-log-review';
import {
  ACCOUNTABILITY_ROLES,
  FINDING_SEVERITIES,
  INCIDENT_CLASSIFICATIONS,
  INCIDENT_PROGRESS,
  INCIDENT_SEVERITIES,
  LIFECYCLE_STATUSES,
  NOTIFICATION_KINDS,
  NOTIFICATION_RECIPIENTS,
  REVIEW_DISCIPLINES,
  RISK_CLASSES,
  SIGNAL_KINDS,
  COMPUTED_METRICS,
  SUBGROUP_DIMENSIONS,
  SUPPLIERS,
  TAKEDOWN_ACTIONS,
  THRESHOLD_DIRECTIONS,
} from './vocabulary';

/**
 * The events of one AI system's stream, `ai-system-<systemId>`. Model
 * versions, approvals and takedowns live in the system's own stream so that a
 * deployment checks every gate against one consistent revision.
 *
 * Each schema here is the single source of truth: the TypeScript type is
 * derived from it and `schema/events/<Type>.v<N>.schema.json` is generated
 * from it.
 */

const systemId = Id('the AI system');
const version = Id('the model version label, e.g. 2.1.0');
const role = StringEnum(ACCOUNTABILITY_ROLES, 'the accountability role');
const direction = StringEnum(
  THRESHOLD_DIRECTIONS,
  "how the threshold binds: 'min' means the value must be at least the threshold, 'max' at most",
);

const MetricResult = Closed(
  {
    name: Text('the metric name, e.g. AUROC or sensitivity', 200),
    value: Type.Number({ description: 'the measured value' }),
    threshold: Type.Number({ description: 'the value the metric must reach' }),
    direction,
    passed: Type.Boolean({
      description: 'whether value meets threshold in direction; computed by the ledger, never supplied',
    }),
  },
  { description: 'one metric against its threshold' },
);

const PlannedMetric = Closed(
  {
    name: Text('the metric name, e.g. AUROC or sensitivity', 200),
    threshold: Type.Number({ description: 'the value the metric must reach' }),
    direction,
  },
  { description: 'one metric and the threshold it must reach' },
);

const plannedMetrics = (description: string) =>
  NonEmptyList(PlannedMetric, `${description}, each with its threshold`);

const modelVersionRegisteredV1Fields = {
  systemId,
  version,
  artifactSha256: Sha256Hex('the SHA-256 digest of the model artifact'),
  trainingDatasetIds: NonEmptyList(Id('a training dataset'), 'the datasets the version was trained on'),
  codeRevision: Text('the source revision the version was built from, e.g. a git commit', 200),
  parentVersion: Type.Optional(version),
  changeSummary: Narrative('what changed from the parent version'),
  withinChangeControlPlan: Type.Boolean({
    description: 'whether the change falls within an approved change-control plan',
  }),
};

/** v1 recorded only the developer, so a registrant naming someone else was no author of their own version. */
const ModelVersionRegisteredV1 = Closed(
  {
    ...modelVersionRegisteredV1Fields,
    developer: Principal('who developed the version; may not validate or approve it'),
  },
  { description: 'A model version was registered for the system.' },
);

const incidentReportedV1Fields = {
  systemId,
  incidentId: Id('the incident'),
  severity: StringEnum(INCIDENT_SEVERITIES, 'the severity'),
  description: Narrative('what happened'),
  patientHarmed: Type.Boolean({ description: 'whether a patient was harmed' }),
  awareAt: Instant('when the organisation became aware'),
  version: Type.Optional(Id('the model version involved')),
  reportedBy: Principal('who reported the incident'),
};

/** v1 carried no Art 73 classification, so it set no notification deadline. */
const IncidentReportedV1 = Closed(incidentReportedV1Fields, {
  description: 'An incident involving the system was reported.',
});

const IncidentReportedV2 = Closed(
  {
    ...incidentReportedV1Fields,
    classification: Type.Optional(
      StringEnum(
        INCIDENT_CLASSIFICATIONS,
        'the EU AI Act Art 73 class, which sets the deadline; absent only on incidents reported before classes were recorded (v1)',
      ),
    ),
    dueAt: Type.Optional(
      Instant(
        'the latest time to notify the market surveillance authority, from awareAt and the deadline of the class in force when reported; computed, absent when not serious',
      ),
    ),
  },
  { description: 'An incident involving the system was reported, with its class and notification deadline.' },
);

const metricResults = (description: string) =>
  Type.Array(MetricResult, { minItems: 1, description: `${description} (at least one)` });

const accessPolicyRecordedV1Fields = {
  systemId,
  documentRef: Text('where the approved access policy lives, e.g. a document URL or id', 500),
  permittedRoles: NonEmptyList(Text('a role', 200), 'the roles allowed to use the system or its data'),
  permittedPurposes: NonEmptyList(
    Text('a purpose of use, e.g. TREAT', 200),
    'the purposes of use the policy allows',
  ),
  recordedBy: Principal('who recorded the policy'),
};

/** v1 set no cadence for reviewing the system's access logs. */
const AccessPolicyRecordedV1 = Closed(accessPolicyRecordedV1Fields, {
  description: 'The access policy for the system was recorded; a later one supersedes it.',
});

const auditSourceRegisteredV1Fields = {
  systemId,
  sourceService: Id("a service that emits this system's data-access events"),
};

/** v1 named no interval, so a silent source went unnoticed. */
const AuditSourceRegisteredV1 = Closed(auditSourceRegisteredV1Fields, {
  description: 'A service was registered as emitting the data-access audit trail of this system.',
});

const auditId = Id('the audit');
const findingId = Id('the finding, unique within its audit');
const findingSeverity = StringEnum(FINDING_SEVERITIES, 'how serious the finding is');
const findingDescription = Narrative('the finding');
const auditScope = Text('what the audit covered');
const auditor = Principal('who audited');

/** v1 findings had no id, owner or due date: nothing could close them. */
const AuditRecordedV1 = Closed(
  {
    systemId,
    auditId,
    scope: auditScope,
    findings: Type.Array(
      Closed(
        { severity: findingSeverity, description: findingDescription },
        { description: 'one audit finding' },
      ),
      { description: 'the findings; empty for a clean audit' },
    ),
    auditor,
  },
  { description: 'An audit of the system was recorded.' },
);

const MonitoringPlannedV1 = Closed(
  {
    systemId,
    metric: Text('the monitored metric', 200),
    threshold: Type.Number({ description: 'the value a signal must stay within' }),
    direction,
    cadence: IsoDuration('how often the metric is measured'),
  },
  { description: 'A metric was put under monitoring; a later plan for the same metric supersedes it.' },
);

/** v2 adds the computation: the ledger then measures the metric itself from recorded outputs and outcomes. */
const MonitoringPlannedV2 = Closed(
  {
    ...MonitoringPlannedV1.properties,
    computation: Type.Optional(
      Closed(
        {
          window: IsoDuration('how much history each value covers, e.g. P7D'),
          minSamples: Type.Integer({
            minimum: 1,
            maximum: 1000000,
            description:
              'the fewest outputs a value needs before it counts; smaller windows and subgroups are skipped',
          }),
          positiveLabel: Type.Optional(
            Text(
              'the outcome label that counts as the positive class (required by the outcome metrics)',
              200,
            ),
          ),
          settle: Type.Optional(
            IsoDuration(
              'how long after a window ends to wait for late outcomes before computing it, e.g. P2D',
            ),
          ),
          subgroups: Type.Optional(
            Type.Array(StringEnum(SUBGROUP_DIMENSIONS, 'a subgroup dimension'), {
              uniqueItems: true,
              description: 'the dimensions each value is also broken down by',
            }),
          ),
        },
        {
          description:
            'how the ledger computes the metric from recorded outputs; the metric must be a computed one',
        },
      ),
    ),
  },
  {
    description:
      'A metric was put under monitoring; a later plan for the same metric supersedes it. With a computation the ledger measures it itself.',
  },
);

export const AI_SYSTEM_EVENTS = {
  AiSystemRegistered: v1(
    Closed(
      {
        systemId,
        name: Text('the name clinicians know the system by', 200),
        intendedUse: Text('what the system is for and for whom'),
        clinicalDomain: Text('the clinical area, e.g. radiology or sepsis', 200),
        riskClass: StringEnum(RISK_CLASSES, 'the risk class'),
        supplier: StringEnum(SUPPLIERS, 'who supplies the system'),
        vendorName: Type.Optional(Text('the vendor, required when supplier is vendor', 200)),
        sites: NonEmptyList(
          Text('a site where the system is used', 200),
          'the sites where the system is used',
        ),
      },
      {
        description: 'An AI system entered the registry, as proposed.',
        // A vendor must be named; an in-house system has none.
        if: { properties: { supplier: { const: 'vendor' } } },
        then: { required: ['vendorName'] },
        else: {
          properties: {
            vendorName: { not: {}, description: 'only a vendor-supplied system names a vendor' },
          },
        },
      },
    ),
  ),

  AiSystemStatusChanged: v1(
    Closed(
      {
        systemId,
        from: StringEnum(LIFECYCLE_STATUSES, 'the status before'),
        to: StringEnum(LIFECYCLE_STATUSES, 'the status after'),
        because: Text('the event type that caused the change, e.g. ModelVersionDeployed', 100),
        at: Instant('when the status changed'),
      },
      { description: 'The lifecycle status moved; always recorded beside the event that caused it.' },
    ),
  ),

  AccountabilityAssigned: v1(
    Closed(
      {
        systemId,
        assignmentId: Id('the assignment'),
        role,
        assignee: Principal('the person who will hold the role'),
        effectiveFrom: Instant('when the role starts'),
        assignedBy: Principal('who made the assignment'),
      },
      { description: 'A role was assigned; it counts only once the assignee accepts.' },
    ),
  ),

  AccountabilityAccepted: v1(
    Closed(
      {
        systemId,
        assignmentId: Id('the assignment'),
        role,
        assignee: Principal('the person accepting the role'),
        acceptedAt: Instant('when the assignee accepted'),
      },
      { description: 'The assignee accepted the role.' },
    ),
  ),

  AccountabilityRevoked: v1(
    Closed(
      {
        systemId,
        assignmentId: Id('the assignment'),
        role,
        assignee: Principal('the person losing the role'),
        effectiveTo: Instant('when the role ends'),
        revokedBy: Principal('who revoked it'),
        reason: Narrative('why the role was revoked'),
      },
      { description: 'A role assignment ended.' },
    ),
  ),

  ModelVersionRegistered: v2(
    Closed(
      {
        ...modelVersionRegisteredV1Fields,
        developer: Principal('who developed the version, as the registrant named them; an author of it'),
        registeredBy: Principal(
          'who registered the version; an author of it whatever developer says, so may not validate or approve it',
        ),
      },
      {
        description:
          'A model version was registered for the system; its developer and its registrant are its authors.',
      },
    ),
  ),

  ValidationPlanned: v1(
    Closed(
      {
        systemId,
        version,
        datasetId: Id(
          'the validation dataset; registered, approved for validation, and none of the training datasets',
        ),
        metrics: plannedMetrics('the overall metrics'),
        subgroups: Type.Array(
          Closed(
            {
              subgroup: Text('the subgroup, e.g. age 65+ or sex female', 200),
              metrics: plannedMetrics('the metrics within the subgroup'),
            },
            { description: 'the metrics one patient subgroup must reach' },
          ),
          { description: 'the patient subgroups judged on their own' },
        ),
        plannedBy: Principal('who planned the validation; never an author of the version'),
      },
      {
        description:
          'What a validation of a model version must reach, fixed before any result; a later plan replaces it until the first result.',
      },
    ),
  ),

  ValidationResultRecorded: v1(
    Closed(
      {
        systemId,
        validationId: Id('the validation'),
        version,
        datasetId: Id('the dataset validated on'),
        metrics: metricResults('the overall metrics'),
        subgroupResults: Type.Array(
          Closed(
            {
              subgroup: Text('the subgroup, e.g. age 65+ or sex female', 200),
              metrics: metricResults('the metrics within the subgroup'),
              passed: Type.Boolean({ description: 'whether every metric of the subgroup passed; computed' }),
            },
            { description: 'results within one patient subgroup' },
          ),
          { description: 'results per patient subgroup' },
        ),
        passed: Type.Boolean({
          description: 'whether every metric, overall and per subgroup, passed; computed',
        }),
        validator: Principal('who validated; never the developer'),
        validatedAt: Instant('when the result was recorded'),
      },
      {
        description:
          'A validation of a model version was recorded; pass or fail is computed from the thresholds.',
      },
    ),
  ),

  DeploymentApproved: v1(
    Closed(
      {
        systemId,
        version,
        discipline: StringEnum(REVIEW_DISCIPLINES, 'the discipline signing off'),
        reviewer: Principal('who approved; never the developer'),
      },
      { description: 'A reviewer approved a version for deployment on behalf of one discipline.' },
    ),
  ),

  AccessPolicyRecorded: v2(
    Closed(
      {
        ...accessPolicyRecordedV1Fields,
        reviewEveryDays: Type.Optional(
          ReviewEveryDays(
            "how often the system's access logs must be reviewed; absent, no review is required (every v1 policy)",
          ),
        ),
      },
      { description: 'The access policy for the system was recorded; a later one supersedes it.' },
    ),
  ),

  AuditSourceRegistered: v2(
    Closed(
      {
        ...auditSourceRegisteredV1Fields,
        expectedInterval: Type.Optional(
          IsoDuration(
            'the longest the source may send no data-access event before it counts as silent; absent only on sources registered under v1',
          ),
        ),
      },
      { description: 'A service was registered as emitting the data-access audit trail of this system.' },
    ),
  ),

  AccessLogReviewed: v1(
    Closed(
      { systemId, ...accessLogReviewFields },
      { description: "The system's access logs for a period were reviewed." },
    ),
  ),

  MonitoringSourceRegistered: v1(
    Closed(
      {
        systemId,
        serviceId: Principal('the token subject the monitoring service authenticates as'),
        registeredBy: Principal('who registered it; never the service itself'),
      },
      { description: 'A service was registered as a source of monitoring signals for this system.' },
    ),
  ),

  ModelVersionDeployed: v1(
    Closed(
      {
        systemId,
        version,
        previousVersion: Type.Optional(version),
        deployedBy: Principal('who deployed'),
        deployedAt: Instant('when the version went live'),
      },
      { description: 'A version went live after every deployment gate was met.' },
    ),
  ),

  MonitoringPlanned: v2(MonitoringPlannedV2),

  MonitoringSignalRecorded: v1(
    Closed(
      {
        systemId,
        kind: StringEnum(SIGNAL_KINDS, 'what the signal measures'),
        metric: Text('the monitored metric', 200),
        value: Type.Number({ description: 'the observed value' }),
        subgroup: Type.Optional(Text('the patient subgroup, for bias signals', 200)),
        observedAt: Instant('when the value was observed'),
        version: Type.Optional(Id('the model version live when the signal was recorded')),
      },
      { description: 'A monitoring observation was recorded.' },
    ),
  ),

  MonitoringSignalComputed: v1(
    Closed(
      {
        systemId,
        kind: StringEnum(SIGNAL_KINDS, 'what the signal measures'),
        metric: StringEnum(COMPUTED_METRICS, 'the computed metric'),
        method: Text('how the value was computed, precisely enough to recompute it', 200),
        value: Type.Number({ description: 'the computed value' }),
        n: Type.Integer({ minimum: 1, description: 'how many outputs the value was computed from' }),
        subgroup: Type.Optional(
          Text('the subgroup band, e.g. ageBand=80+; absent for the whole population', 200),
        ),
        window: Closed(
          {
            from: Instant('the window start, inclusive, on the outputs’ occurredAt'),
            to: Instant('the window end, exclusive'),
          },
          { description: 'the outputs the value covers, by when they were produced' },
        ),
        observedAt: Instant('the window end: the instant the value describes'),
        version: Type.Optional(Id('the model version live at the window end')),
        inputs: Closed(
          {
            throughPosition: Type.String({
              pattern: '^[0-9]{1,20}$',
              description:
                'the store position the computation read up to: responses and outcomes recorded later are not in it',
            }),
            count: Type.Integer({ minimum: 1, description: 'how many events the value was computed from' }),
            firstPosition: Type.String({
              pattern: '^[0-9]{1,20}$',
              description: 'the lowest of their positions',
            }),
            lastPosition: Type.String({
              pattern: '^[0-9]{1,20}$',
              description: 'the highest of their positions',
            }),
            positionsSha256: Sha256Hex(
              'SHA-256 of their store positions in ascending order, in decimal, one per line with a final newline',
            ),
          },
          {
            description:
              'the events the value was computed from: a window of a busy model holds millions, so they are named by the rule that selects them and a digest of their positions',
          },
        ),
        checkpoint: Closed(
          {
            treeSize: Type.Integer({ minimum: 1, description: 'the size of the signed checkpoint' }),
            rootHash: Type.String({ minLength: 1, maxLength: 64, description: 'its base64 root hash' }),
          },
          { description: 'the signed checkpoint that covers every input event' },
        ),
      },
      {
        description:
          'The ledger computed a monitoring metric from the outputs, responses and outcomes it holds; anyone holding those events can recompute it.',
      },
    ),
  ),

  MonitoringThresholdBreached: v1(
    Closed(
      {
        systemId,
        kind: StringEnum(SIGNAL_KINDS, 'what the signal measures'),
        metric: Text('the monitored metric', 200),
        value: Type.Number({ description: 'the observed value' }),
        threshold: Type.Number({ description: 'the planned threshold' }),
        direction,
        subgroup: Type.Optional(Text('the patient subgroup, for bias signals', 200)),
        observedAt: Instant('when the value was observed'),
        version: Type.Optional(Id('the model version live when the signal was recorded')),
      },
      {
        description: 'A signal fell outside its planned threshold; the system is flagged.',
      },
    ),
  ),

  IncidentReported: v2(IncidentReportedV2),

  IncidentStatusUpdated: v1(
    Closed(
      {
        systemId,
        incidentId: Id('the incident'),
        status: StringEnum(INCIDENT_PROGRESS, 'the new status'),
        note: Narrative('what was done or found'),
        updatedBy: Principal('who updated the incident'),
      },
      { description: 'An open incident progressed.' },
    ),
  ),

  IncidentNotificationRecorded: v1(
    Closed(
      {
        systemId,
        incidentId: Id('the incident'),
        recipient: StringEnum(NOTIFICATION_RECIPIENTS, 'who was notified'),
        kind: StringEnum(
          NOTIFICATION_KINDS,
          'which report it was: the first to that recipient, a later one, or the complete one',
        ),
        reference: Text("the recipient's case number, or the reference of the letter or message", 500),
        sentAt: Instant('when the notification was sent; within the clock-skew allowance of its recording'),
        sentBy: Principal('who sent and recorded the notification'),
      },
      {
        description:
          'A notification about an incident was sent to a regulator, the provider or another party.',
      },
    ),
  ),

  IncidentClosed: v1(
    Closed(
      {
        systemId,
        incidentId: Id('the incident'),
        resolution: Narrative('how the incident was resolved'),
        closedBy: Principal('who closed the incident'),
      },
      { description: 'An incident was closed.' },
    ),
  ),

  TakedownDecided: v1(
    Closed(
      {
        systemId,
        decisionId: Id('the decision'),
        action: StringEnum(TAKEDOWN_ACTIONS, 'the action taken'),
        fromVersion: Type.Optional(version),
        toVersion: Type.Optional(version),
        rationale: Narrative('why the action was taken'),
        evidence: NonEmptyList(
          Text('a reference to evidence, e.g. an incident id, report URL or signal', 500),
          'the evidence relied on',
        ),
        decidedBy: Principal('who decided'),
        decidedAt: Instant('when the decision took effect'),
        emergency: Type.Boolean({
          description:
            "whether a security officer decided under emergency powers, pending the takedown authority's ratification",
        }),
        ratificationDueBy: Type.Optional(
          Instant('the latest time the takedown authority should ratify an emergency decision'),
        ),
      },
      {
        description: 'A takedown decision: suspend, roll back to an earlier validated version, or retire.',
      },
    ),
  ),

  TakedownRatified: v1(
    Closed(
      {
        systemId,
        decisionId: Id('the emergency decision ratified'),
        ratifiedBy: Principal('the takedown authority who ratified'),
        ratifiedAt: Instant('when it was ratified'),
      },
      { description: "The takedown authority ratified a security officer's emergency decision." },
    ),
  ),

  AiSystemReinstated: v1(
    Closed(
      {
        systemId,
        decisionId: Id('the decision'),
        version,
        validationId: Id('the passing validation recorded after the suspension'),
        rationale: Narrative('why the system may return to patients'),
        evidence: NonEmptyList(Text('a reference to evidence', 500), 'the evidence relied on'),
        decidedBy: Principal('the takedown authority who decided'),
        decidedAt: Instant('when the system went live again'),
      },
      {
        description:
          'A suspended system went live again on a new passing validation and the authority’s decision.',
      },
    ),
  ),

  AuditRecorded: v2(
    Closed(
      {
        systemId,
        auditId,
        scope: auditScope,
        findings: Type.Array(
          Closed(
            {
              findingId,
              severity: findingSeverity,
              description: findingDescription,
              owner: Principal('who must resolve the finding; never the one who verifies its closure'),
              dueAt: Type.Optional(
                Instant(
                  'by when the finding must be resolved and its closure verified; absent only on findings recorded under v1',
                ),
              ),
            },
            { description: 'one audit finding, open until its closure is verified' },
          ),
          { description: 'the findings; empty for a clean audit' },
        ),
        auditor,
      },
      { description: 'An audit of the system was recorded, each finding with its owner and due date.' },
    ),
  ),

  AuditFindingResolved: v1(
    Closed(
      {
        systemId,
        auditId,
        findingId,
        resolution: Narrative('what the owner did about the finding'),
        resolvedBy: Principal("the finding's owner"),
        resolvedAt: Instant('when the owner resolved it'),
      },
      {
        description: 'The owner of an audit finding resolved it; it stays open until someone else verifies.',
      },
    ),
  ),

  AuditFindingClosureVerified: v1(
    Closed(
      {
        systemId,
        auditId,
        findingId,
        note: Narrative('what the verifier checked'),
        verifiedBy: Principal("who verified the closure; never the finding's owner"),
        verifiedAt: Instant('when the closure was verified'),
      },
      {
        description:
          'Someone other than its owner verified that an audit finding was resolved; it is closed.',
      },
    ),
  ),
};

/** Earlier schema versions of the events above: still published, and read through their upcasters. */
export const SUPERSEDED_AI_SYSTEM_EVENTS = {
  MonitoringPlanned: [v1(MonitoringPlannedV1)],
  ModelVersionRegistered: [v1(ModelVersionRegisteredV1)],
  IncidentReported: [v1(IncidentReportedV1)],
  AccessPolicyRecorded: [v1(AccessPolicyRecordedV1)],
  AuditSourceRegistered: [v1(AuditSourceRegisteredV1)],
  AuditRecorded: [v1(AuditRecordedV1)],
} satisfies { [T in keyof typeof AI_SYSTEM_EVENTS]?: EventSchema[] };

/**
 * AuditRecorded v1 → v2. v1 findings had no id, owner or due date. Each is
 * numbered in its audit's order; its owner is the auditor, the one person the
 * record names, so an open critical finding recorded then still has someone
 * who can resolve it; and it has no due date, so no clock runs on it.
 */
export function upcastAuditRecordedV1(
  data: Static<typeof AuditRecordedV1>,
): AiSystemEventOf<'AuditRecorded'>['data'] {
  return {
    ...data,
    findings: data.findings.map((finding, i) => ({
      findingId: String(i + 1),
      ...finding,
      owner: data.auditor,
    })),
  };
}

/**
 * ModelVersionRegistered v1 → v2. The v1 data never named the registrant;
 * the stored envelope does: `metadata.actor.id`, the authenticated caller who
 * registered the version, is passed as `registeredBy`.
 */
export function upcastModelVersionRegisteredV1(
  data: Static<typeof ModelVersionRegisteredV1>,
  registeredBy: string,
): AiSystemEventOf<'ModelVersionRegistered'>['data'] {
  return { ...data, registeredBy };
}

/**
 * IncidentReported v1 → v2. An incident reported before classes were recorded
 * stays unclassified: guessing a class would invent a deadline, or excuse one.
 */
export function upcastIncidentReportedV1(
  data: Static<typeof IncidentReportedV1>,
): AiSystemEventOf<'IncidentReported'>['data'] {
  return data;
}

export type AiSystemEvent = EventsOf<typeof AI_SYSTEM_EVENTS>;
export type AiSystemEventType = AiSystemEvent['type'];
export type AiSystemEventOf<T extends AiSystemEventType> = Extract<AiSystemEvent, { type: T }>;
