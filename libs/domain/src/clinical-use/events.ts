import { Type } from '@sinclair/typebox';
import {
  Closed,
  EventsOf,
  Id,
  Instant,
  Principal,
  PatientPseudonym,
  Sha256Hex,
  StringEnum,
  Text,
  v1,
} from '../shared/schema';

/**
 * What happens each time a clinical AI is used: the output it produced, what
 * the clinician did with it and what then happened to the patient. Services
 * emit these in volume (a 1,000-bed hospital scoring every inpatient every 15
 * minutes sends about 100,000 outputs a day per model), so they are appended
 * without loading an aggregate, to the emitter's `clinical-use-<sourceService>`
 * stream. A response or an outcome names its output by id and may arrive
 * before it: read models join them by `(systemId, outputId)`, whatever the order.
 */

/** Coarse bands only: a birth date or an exact age would help re-identify a patient. */
export const AGE_BANDS = ['0-17', '18-39', '40-64', '65-79', '80+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const SEX_BANDS = ['female', 'male', 'other', 'unknown'] as const;
export type SexBand = (typeof SEX_BANDS)[number];

export const CLINICIAN_RESPONSES = ['accepted', 'overridden', 'dismissed', 'not_seen'] as const;
export type ClinicianResponse = (typeof CLINICIAN_RESPONSES)[number];

/** Raised by the ledger when an output contradicts the registry at its `occurredAt`. */
export const OUTPUT_FINDINGS = ['VERSION_MISMATCH', 'USE_AFTER_TAKEDOWN'] as const;
export type OutputFinding = (typeof OUTPUT_FINDINGS)[number];

const outputId = Id('the id the emitting service gave the output; responses and outcomes name it');
const systemId = Id('the AI system that produced the output');
const sourceService = Id('the service that emitted this event');
/** A probability or a score; the ledger's calibration metrics read it as a probability in [0, 1]. */
const Finite = (description: string) => Type.Number({ description });

export const CLINICAL_USE_EVENTS = {
  AiOutputProduced: v1(
    Closed(
      {
        outputId,
        systemId,
        modelVersion: Id('the model version the service actually ran, as it stamped the output'),
        site: Id('the site (hospital, ward or unit) where the output was produced'),
        patientPseudonym: Type.Optional(
          PatientPseudonym(
            'the keyed HMAC-SHA-256 pseudonym of the patient; raw identifiers are never accepted',
          ),
        ),
        encounterPseudonym: Type.Optional(
          PatientPseudonym(
            'the keyed HMAC-SHA-256 pseudonym of the encounter; raw identifiers are never accepted',
          ),
        ),
        inputDigest: Sha256Hex(
          'SHA-256 of the input the service scored; the service keeps the input, the ledger never stores it',
        ),
        score: Type.Optional(Finite('the output score, a probability in [0, 1] for a risk model')),
        class: Type.Optional(Text('the output class, for a classifier', 200)),
        threshold: Type.Optional(Finite('the decision threshold the service applied to the score')),
        alerted: Type.Boolean({ description: 'whether the output raised an alert to a clinician' }),
        ageBand: Type.Optional(
          StringEnum(AGE_BANDS, "the patient's age band; never a birth date or an exact age"),
        ),
        sex: Type.Optional(StringEnum(SEX_BANDS, "the patient's recorded sex")),
        sourceService,
      },
      {
        description: 'A clinical AI produced an output for a patient or an encounter.',
        allOf: [
          { anyOf: [{ required: ['patientPseudonym'] }, { required: ['encounterPseudonym'] }] },
          { anyOf: [{ required: ['score'] }, { required: ['class'] }] },
        ],
      },
    ),
  ),

  ClinicianResponseRecorded: v1(
    Closed(
      {
        outputId,
        systemId,
        response: StringEnum(CLINICIAN_RESPONSES, 'what the clinician did with the output'),
        reasonCode: Type.Optional(Text('why, as the service codes it (e.g. an override reason)', 200)),
        actor: Principal('the clinician who responded, as the identity provider names them'),
        respondedAt: Instant('when the clinician responded'),
        sourceService,
      },
      { description: "A clinician's response to an AI output." },
    ),
  ),

  OutcomeObserved: v1(
    Closed(
      {
        outputId,
        systemId,
        label: Type.Optional(Text('the observed outcome as a label, e.g. sepsis or no-sepsis', 200)),
        value: Type.Optional(Finite('the observed outcome as a value')),
        observedAt: Instant('when the outcome was observed'),
        source: Text('where the outcome comes from, e.g. a chart review or a lab result', 200),
        sourceService,
      },
      {
        description:
          'What happened to the patient after an AI output: the ground truth monitoring is measured against.',
        anyOf: [{ required: ['label'] }, { required: ['value'] }],
      },
    ),
  ),

  AiOutputFlagged: v1(
    Closed(
      {
        outputId,
        systemId,
        finding: StringEnum(OUTPUT_FINDINGS, 'what the output contradicts in the registry'),
        modelVersion: Id('the version the output was stamped with'),
        liveVersion: Type.Optional(Id('the version the registry says was live at judgedAt, if any')),
        systemStatus: Text('the lifecycle status of the system at judgedAt', 64),
        outputOccurredAt: Instant('when the output was produced'),
        judgedAt: Instant(
          "the instant the registry was read at: the output's occurredAt, or, when that found nothing, the instant the output reached the ledger",
        ),
        outputEventId: Type.String({
          pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
          description: 'the ledger event id of the flagged output (a lower-case UUID)',
        }),
        sourceService,
      },
      {
        description:
          'The ledger found, as it stored an output, that the output contradicts the registry: a version not live at the time, or a system suspended or retired.',
      },
    ),
  ),
};

export type ClinicalUseEvent = EventsOf<typeof CLINICAL_USE_EVENTS>;
