import type { Role } from '@ledger/auth';
import type { TestApi } from './ledger-api';

export interface Receipt {
  stream: string;
  revision: number;
  events: Array<{ eventId: string; type: string; revision: number; position: string; hash: string }>;
}

const inputType = (mutation: string) => `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;

/** Sends one mutation with its input as a variable, as a client would; people act with governance-admin tokens. */
export async function mutate(
  api: TestApi,
  mutation: string,
  input: Record<string, unknown>,
  actor = 'admin.grace',
  role: Role = 'governance-admin',
) {
  return api.graphql<Record<string, Receipt>>(
    `mutation Run($input: ${inputType(mutation)}!) { ${mutation}(input: $input) { stream revision events { eventId type revision position hash } } }`,
    { input },
    actor,
    role === 'governance-admin' ? {} : { authorization: `Bearer ${await api.token(actor, role)}` },
  );
}

/** A mutation the test expects to succeed; a failure shows the ledger's own error. */
export async function ok(
  api: TestApi,
  mutation: string,
  input: Record<string, unknown>,
  actor = 'admin.grace',
  role: Role = 'governance-admin',
): Promise<Receipt> {
  const response = await mutate(api, mutation, input, actor, role);
  if (response.errors?.length || !response.data)
    throw new Error(`${mutation} by ${actor} failed: ${JSON.stringify(response.errors)}`);
  return response.data[mutation];
}

export const PEOPLE = {
  admin: 'admin.grace',
  performanceOwner: 'dr.perf',
  biasMonitor: 'ds.bias',
  authority: 'dr.ada',
  clinicalLead: 'dr.lead',
  securityOfficer: 'sec.sam',
  executive: 'exec.eve',
  developer: 'ds.dev',
  validator: 'val.victor',
  steward: 'dr.steward',
  reviewers: {
    clinical: 'dr.review',
    data_science: 'ds.review',
    security: 'sec.review',
    compliance: 'comp.carl',
  },
};

export const ROLE_HOLDERS: Record<string, string> = {
  MODEL_PERFORMANCE_OWNER: PEOPLE.performanceOwner,
  BIAS_DRIFT_MONITOR: PEOPLE.biasMonitor,
  TAKEDOWN_AUTHORITY: PEOPLE.authority,
  CLINICAL_LEAD: PEOPLE.clinicalLead,
  SECURITY_OFFICER: PEOPLE.securityOfficer,
  ACCOUNTABLE_EXECUTIVE: PEOPLE.executive,
};

export const sha = (n: number) => n.toString(16).padStart(64, '0');

export async function registerSystem(api: TestApi, systemId: string) {
  return ok(api, 'registerAiSystem', {
    systemId,
    name: 'Sepsis predictor',
    intendedUse: 'Early warning of sepsis in adult inpatients',
    clinicalDomain: 'critical care',
    riskClass: 'high',
    supplier: 'in_house',
    sites: ['north', 'south'],
  });
}

/** Assignments take effect when they are recorded, never earlier: each one starts now. */
export async function staffRoles(api: TestApi, systemId: string) {
  for (const [role, assignee] of Object.entries(ROLE_HOLDERS)) {
    const assignmentId = `${role.toLowerCase()}-1`;
    await ok(api, 'assignAccountability', {
      systemId,
      assignmentId,
      role,
      assignee,
      effectiveFrom: new Date().toISOString(),
    });
    await ok(api, 'acceptAccountability', { systemId, assignmentId }, assignee);
  }
}

export const DATASET_REGISTRATION = {
  name: 'ICU vitals 2019-2024',
  classification: 'de_identified',
  legalBasis: 'HIPAA health care operations',
  steward: PEOPLE.steward,
  source: 'EHR extract',
  retentionPeriod: 'P6Y',
};

export async function approvedDataset(api: TestApi, datasetId: string, purpose = 'model-training') {
  await ok(api, 'registerDataset', { ...DATASET_REGISTRATION, datasetId });
  await ok(api, 'approveDataset', { datasetId, purpose }, PEOPLE.steward);
}

/** The validation dataset of one version: held out from its training data, approved for validation. */
export const holdoutOf = (systemId: string, version: string) => `${systemId}-${version}-holdout`;

export const VALIDATION_PLAN = {
  metrics: [{ name: 'auroc', threshold: 0.8, direction: 'min' }],
  subgroups: [{ subgroup: 'age>80', metrics: [{ name: 'auroc', threshold: 0.8, direction: 'min' }] }],
};

/** A version developed by PEOPLE.developer and registered by the admin: both are its authors. */
export async function registeredVersion(
  api: TestApi,
  systemId: string,
  version: string,
  datasetId: string,
  n: number,
) {
  return ok(api, 'registerModelVersion', {
    systemId,
    version,
    artifactSha256: sha(n),
    trainingDatasetIds: [datasetId],
    codeRevision: `git:${n}`,
    changeSummary: `release ${version}`,
    withinChangeControlPlan: true,
    developer: PEOPLE.developer,
    ...(n > 1 ? { parentVersion: `v${n - 1}` } : {}),
  });
}

/**
 * A registered version validated the way the rules ask: a held-out dataset approved for validation, a
 * plan fixed by the performance owner before any result, and the validator's measured values judged
 * against it.
 */
export async function validatedVersion(
  api: TestApi,
  systemId: string,
  version: string,
  datasetId: string,
  n: number,
) {
  await registeredVersion(api, systemId, version, datasetId, n);
  const holdout = holdoutOf(systemId, version);
  await approvedDataset(api, holdout, 'model-validation');
  await ok(
    api,
    'planValidation',
    { systemId, version, datasetId: holdout, ...VALIDATION_PLAN },
    PEOPLE.performanceOwner,
  );
  await ok(
    api,
    'recordValidationResult',
    {
      systemId,
      validationId: `val-${version}`,
      version,
      metrics: [{ name: 'auroc', value: 0.86 }],
      subgroupResults: [{ subgroup: 'age>80', metrics: [{ name: 'auroc', value: 0.81 }] }],
    },
    PEOPLE.validator,
  );
}

export const MONITORING_PLAN = { metric: 'auroc', threshold: 0.8, direction: 'min', cadence: 'P7D' };

export async function approveAll(api: TestApi, systemId: string, version: string) {
  for (const [discipline, reviewer] of Object.entries(PEOPLE.reviewers))
    await ok(api, 'approveDeployment', { systemId, version, discipline }, reviewer);
}

/** Every deployment gate of v1 met but the monitoring plan. */
export async function unmonitoredSystem(api: TestApi, systemId: string, datasetId = `${systemId}-data`) {
  await registerSystem(api, systemId);
  await staffRoles(api, systemId);
  await approvedDataset(api, datasetId);
  await validatedVersion(api, systemId, 'v1', datasetId, 1);
  await approveAll(api, systemId, 'v1');
  await ok(api, 'recordAccessPolicy', {
    systemId,
    documentRef: 'policy://ai/access-v3',
    permittedRoles: ['clinician'],
    permittedPurposes: ['TREAT'],
  });
  await ok(api, 'registerAuditSource', { systemId, sourceService: 'ehr-gateway', expectedInterval: 'P1D' });
}

/** Everything a version needs before deployment, for tests that start from a deployable system. */
export async function deployableSystem(api: TestApi, systemId: string, datasetId = `${systemId}-data`) {
  await unmonitoredSystem(api, systemId, datasetId);
  await ok(api, 'planMonitoring', { systemId, ...MONITORING_PLAN });
}

/**
 * A registered system whose data access the given emitters may report: only a
 * system's registered audit sources may name it in a DataAccessed item.
 * Governance acts in the tenant given (the default tenant otherwise).
 */
export async function auditedSystem(api: TestApi, systemId: string, emitters: string[], tenantId?: string) {
  const headers: Record<string, string> = tenantId
    ? { authorization: `Bearer ${await api.token(PEOPLE.admin, 'governance-admin', { tenantId })}` }
    : {};
  const run = async (mutation: string, input: Record<string, unknown>) => {
    const response = await api.graphql(
      `mutation Run($input: ${inputType(mutation)}!) { ${mutation}(input: $input) { revision } }`,
      { input },
      PEOPLE.admin,
      headers,
    );
    if (response.errors?.length) throw new Error(`${mutation} failed: ${JSON.stringify(response.errors)}`);
  };
  await run('registerAiSystem', {
    systemId,
    name: 'Sepsis predictor',
    intendedUse: 'Early warning of sepsis in adult inpatients',
    clinicalDomain: 'critical care',
    riskClass: 'high',
    supplier: 'in_house',
    sites: ['north', 'south'],
  });
  for (const sourceService of emitters)
    await run('registerAuditSource', { systemId, sourceService, expectedInterval: 'P1D' });
}

/** A vendor-supplied system with one version trained on an unregistered dataset, nothing else: every deployment gate is unmet. */
export async function versionWithGatesUnmet(api: TestApi, systemId: string) {
  await ok(api, 'registerAiSystem', {
    systemId,
    name: 'Triage',
    intendedUse: 'CT triage',
    clinicalDomain: 'radiology',
    riskClass: 'moderate',
    supplier: 'vendor',
    vendorName: 'Acme',
    sites: ['north'],
  });
  await ok(api, 'registerModelVersion', {
    systemId,
    version: 'v1',
    artifactSha256: 'a'.repeat(64),
    trainingDatasetIds: ['unregistered-set'],
    codeRevision: 'r1',
    changeSummary: 'first',
    withinChangeControlPlan: false,
    developer: PEOPLE.developer,
  });
}
