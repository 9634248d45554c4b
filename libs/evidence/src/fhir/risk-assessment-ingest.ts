import type { Device, OperationOutcomeIssue, Reference, RiskAssessment } from '@medplum/fhirtypes';
import { CALENDAR_RANGE, checkInstant, type InstantRange } from '@ledger/domain';
import { canonicalJson, sha256Hex } from '@ledger/integrity';
import { FHIR_SYSTEMS, uuidFrom } from './fhir-codes';
import { issue, sentResourceIssues } from './sent-resource';

/** One AiOutputProduced item for the ledger's ingest path (POST /v1/events). */
export interface RiskAssessmentItem {
  eventId: string;
  type: 'AiOutputProduced';
  occurredAt: string;
  data: {
    outputId: string;
    systemId: string;
    modelVersion: string;
    site: string;
    inputDigest: string;
    alerted: boolean;
    /** Raw: the ingest path replaces them by keyed pseudonyms before anything is stored. */
    patientId?: string;
    encounterId?: string;
    score?: number;
    class?: string;
    threshold?: number;
    ageBand?: string;
    sex?: string;
  };
}

export type MappedRiskAssessment =
  { item: RiskAssessmentItem; issues: [] } | { item?: undefined; issues: OperationOutcomeIssue[] };

/** The ledger's extensions on a RiskAssessment, for what FHIR has no element for. */
export const RISK_ASSESSMENT_EXTENSIONS = {
  site: 'urn:govledger:fhir:extension:site',
  alerted: 'urn:govledger:fhir:extension:alerted',
  threshold: 'urn:govledger:fhir:extension:decision-threshold',
  ageBand: 'urn:govledger:fhir:extension:age-band',
  sex: 'urn:govledger:fhir:extension:sex',
} as const;

/** A result the model actually produced; a registered or cancelled assessment holds none. */
const RECORDED_STATUSES = new Set(['preliminary', 'final', 'amended', 'corrected']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A reference to a resource of the type, relative or absolute, with the id it names. */
const referenceTo = (type: string) => new RegExp(`(?:^|/)${type}/([^/?#]+)$`);

/**
 * Reads a FHIR R4 RiskAssessment written by a clinical AI into an
 * AiOutputProduced ingest item:
 *
 * - `identifier[0].value` is the output id responses and outcomes name;
 * - `subject` (Patient/<id>, or its identifier value) and `encounter`
 *   (Encounter/<id>, or its identifier value) become the raw patientId and
 *   encounterId the ingest path pseudonymises;
 * - `occurrenceDateTime` is when the output was produced;
 * - `prediction[0]` is the output: `probabilityDecimal` the score,
 *   `qualitativeRisk` (else `outcome`) code the class;
 * - the model is a contained Device referenced from `performer`: its
 *   identifier in urn:govledger:ai-system names the AI system, its
 *   `version[0].value` the model version the service ran;
 * - `basis` enters only as the SHA-256 of its RFC 8785 canonical JSON;
 * - site, alerted, decision threshold, age band and sex come from the
 *   ledger's extensions (RISK_ASSESSMENT_EXTENSIONS).
 *
 * The resource is checked for text no store can hold and empty elements,
 * then validated against FHIR R4; every problem is an OperationOutcome issue
 * naming its element under `path`.
 */
export function riskAssessmentToIngestItem(
  resource: unknown,
  emitterId: string,
  path = 'RiskAssessment',
  dates: InstantRange = CALENDAR_RANGE,
): MappedRiskAssessment {
  const at = (element: string) => `${path}${element ? `.${element}` : ''}`;
  const refused = sentResourceIssues(
    resource,
    'RiskAssessment',
    path,
    // Medplum evaluates ras-2 (probability <= 100) as failed when a prediction has no probability at all,
    // which would refuse every class-only output; the ledger checks the probability itself, more strictly.
    (i) => i.details?.text?.startsWith('Constraint ras-2 ') === true,
  );
  if (refused.length > 0) return { issues: refused };

  const risk = resource as RiskAssessment;
  const issues: OperationOutcomeIssue[] = [];
  if (!RECORDED_STATUSES.has(risk.status))
    issues.push(
      issue(
        'value',
        at('status'),
        `status must be ${[...RECORDED_STATUSES].join(', ')}: an output the model produced`,
      ),
    );

  const outputId = risk.identifier?.[0]?.value;
  if (!outputId)
    issues.push(
      issue(
        'required',
        at('identifier'),
        "identifier[0].value is required: the service's id for this output, which responses and outcomes name",
      ),
    );

  const patientId = idOf(risk.subject, 'Patient');
  if (patientId === undefined)
    issues.push(
      issue(
        'not-supported',
        at('subject'),
        'subject must be the patient: reference Patient/<id> or identifier.value (a Group is not a patient)',
      ),
    );
  const encounterId = risk.encounter ? idOf(risk.encounter, 'Encounter') : undefined;
  if (risk.encounter && encounterId === undefined)
    issues.push(
      issue('value', at('encounter'), 'encounter must be reference Encounter/<id> or identifier.value'),
    );

  if (!risk.occurrenceDateTime)
    issues.push(
      issue(
        'required',
        at('occurrenceDateTime'),
        'occurrenceDateTime is required: when the model produced the output',
      ),
    );
  else {
    const { rule } = checkInstant(risk.occurrenceDateTime, dates);
    if (rule !== undefined)
      issues.push(issue('value', at('occurrenceDateTime'), `occurrenceDateTime ${rule}`));
  }

  const predictions = risk.prediction ?? [];
  if (predictions.length !== 1)
    issues.push(
      issue(
        predictions.length === 0 ? 'required' : 'not-supported',
        at('prediction'),
        `exactly one prediction is the output (found ${predictions.length}); send one RiskAssessment per output`,
      ),
    );
  const prediction = predictions[0];
  const score = prediction?.probabilityDecimal;
  const outputClass = codeOf(prediction?.qualitativeRisk) ?? codeOf(prediction?.outcome);
  if (score !== undefined && !(score >= 0 && score <= 1))
    issues.push(
      issue(
        'value',
        at('prediction[0].probabilityDecimal'),
        'probabilityDecimal must be a probability between 0 and 1 (not a percentage): the ledger measures calibration on it',
      ),
    );
  if (prediction && score === undefined && outputClass === undefined)
    issues.push(
      issue(
        'required',
        at('prediction[0]'),
        'give the output: probabilityDecimal (a score in [0, 1]) or a qualitativeRisk or outcome code (a class)',
      ),
    );

  const model = modelOf(risk, at);
  if ('issue' in model) issues.push(model.issue);

  if (!risk.basis)
    issues.push(
      issue(
        'required',
        at('basis'),
        'basis is required: the inputs the model scored, by reference; the ledger keeps only their SHA-256 digest',
      ),
    );

  const extensions = extensionsOf(risk, at, issues);
  if (issues.length > 0) return { issues };
  const { systemId, modelVersion } = model as { systemId: string; modelVersion: string };

  return {
    issues: [],
    item: {
      // An emitter's UUID is kept; otherwise the id derives from the emitter and the output, so a resend is a duplicate.
      eventId:
        risk.id && UUID.test(risk.id) ? risk.id : uuidFrom(`fhir/RiskAssessment/${emitterId}/${outputId}`),
      type: 'AiOutputProduced',
      occurredAt: risk.occurrenceDateTime!,
      data: {
        outputId: outputId!,
        systemId,
        modelVersion,
        site: extensions.site!,
        inputDigest: sha256Hex(canonicalJson(risk.basis)),
        alerted: extensions.alerted!,
        patientId: patientId!,
        ...(encounterId !== undefined ? { encounterId } : {}),
        ...(score !== undefined ? { score } : {}),
        ...(outputClass !== undefined ? { class: outputClass } : {}),
        ...(extensions.threshold !== undefined ? { threshold: extensions.threshold } : {}),
        ...(extensions.ageBand !== undefined ? { ageBand: extensions.ageBand } : {}),
        ...(extensions.sex !== undefined ? { sex: extensions.sex } : {}),
      },
    },
  };
}

function idOf(reference: Reference | undefined, type: string): string | undefined {
  if (!reference) return undefined;
  if (reference.reference !== undefined) return referenceTo(type).exec(reference.reference)?.[1];
  if (reference.type !== undefined && reference.type !== type) return undefined;
  return reference.identifier?.value;
}

function codeOf(
  concept: { coding?: Array<{ code?: string }>; text?: string } | undefined,
): string | undefined {
  return concept?.coding?.find((c) => c.code)?.code ?? concept?.text;
}

/**
 * The AI system and model version, from the contained Device the performer
 * references. R4's RiskAssessment has no `device` element (R5 added one), so
 * the model that produced the assessment is its performer.
 */
function modelOf(
  risk: RiskAssessment,
  at: (element: string) => string,
): { systemId: string; modelVersion: string } | { issue: OperationOutcomeIssue } {
  const reference = risk.performer?.reference;
  const device = reference?.startsWith('#')
    ? (risk.contained ?? []).find((r): r is Device => r.resourceType === 'Device' && `#${r.id}` === reference)
    : undefined;
  if (!device)
    return {
      issue: issue(
        'required',
        at('performer'),
        'name the model: performer references a contained Device ("#model") with an identifier in urn:govledger:ai-system and version[0].value',
      ),
    };
  const systemId = device.identifier?.find((i) => i.system === FHIR_SYSTEMS.aiSystem)?.value;
  const modelVersion = device.version?.[0]?.value;
  if (!systemId || !modelVersion)
    return {
      issue: issue(
        'required',
        at(
          systemId
            ? `contained[${risk.contained!.indexOf(device)}].version`
            : `contained[${risk.contained!.indexOf(device)}].identifier`,
        ),
        `the model Device needs ${systemId ? 'version[0].value: the model version the service ran' : `an identifier with system ${FHIR_SYSTEMS.aiSystem}: the AI system's id in the registry`}`,
      ),
    };
  return { systemId, modelVersion };
}

function extensionsOf(
  risk: RiskAssessment,
  at: (element: string) => string,
  issues: OperationOutcomeIssue[],
): { site?: string; alerted?: boolean; threshold?: number; ageBand?: string; sex?: string } {
  const ext = risk.extension ?? [];
  const value = (url: string) => ext.find((e) => e.url === url);
  const site = value(RISK_ASSESSMENT_EXTENSIONS.site);
  const alerted = value(RISK_ASSESSMENT_EXTENSIONS.alerted);
  const threshold = value(RISK_ASSESSMENT_EXTENSIONS.threshold);
  const ageBand = value(RISK_ASSESSMENT_EXTENSIONS.ageBand);
  const sex = value(RISK_ASSESSMENT_EXTENSIONS.sex);
  const siteValue = site?.valueCode ?? site?.valueString;
  if (siteValue === undefined)
    issues.push(
      issue(
        'required',
        at('extension'),
        `the extension ${RISK_ASSESSMENT_EXTENSIONS.site} (valueCode or valueString) is required: the site where the output was produced`,
      ),
    );
  if (alerted?.valueBoolean === undefined)
    issues.push(
      issue(
        'required',
        at('extension'),
        `the extension ${RISK_ASSESSMENT_EXTENSIONS.alerted} (valueBoolean) is required: whether the output raised an alert to a clinician`,
      ),
    );
  return {
    site: siteValue,
    alerted: alerted?.valueBoolean,
    threshold: threshold?.valueDecimal,
    ageBand: ageBand?.valueCode ?? ageBand?.valueString,
    sex: sex?.valueCode ?? sex?.valueString,
  };
}

/** Where an ingest problem with an item field sits in the RiskAssessment it came from. */
export function riskAssessmentElementOf(field: string, path = 'RiskAssessment'): string {
  const element: Record<string, string> = {
    eventId: 'id',
    occurredAt: 'occurrenceDateTime',
    'data.outputId': 'identifier',
    'data.systemId': 'performer',
    'data.modelVersion': 'performer',
    'data.patientId': 'subject',
    'data.encounterId': 'encounter',
    'data.score': 'prediction[0].probabilityDecimal',
    'data.class': 'prediction[0].qualitativeRisk',
    'data.inputDigest': 'basis',
  };
  const extension: Record<string, string> = {
    'data.site': RISK_ASSESSMENT_EXTENSIONS.site,
    'data.alerted': RISK_ASSESSMENT_EXTENSIONS.alerted,
    'data.threshold': RISK_ASSESSMENT_EXTENSIONS.threshold,
    'data.ageBand': RISK_ASSESSMENT_EXTENSIONS.ageBand,
    'data.sex': RISK_ASSESSMENT_EXTENSIONS.sex,
  };
  if (element[field]) return `${path}.${element[field]}`;
  if (extension[field]) return `${path}.extension('${extension[field]}')`;
  return path;
}
