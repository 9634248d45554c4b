/*
 * The codes the ledger stores, with the plain names the console shows beside
 * them: FHIR AuditEvent action codes and HL7 v3 PurposeOfUse codes (the ones
 * in clinical and governance use; any other code is shown as it is).
 */

export const ACTION_NAMES: Readonly<Record<string, string>> = {
  C: 'create',
  R: 'read',
  U: 'update',
  D: 'delete',
  E: 'execute',
};

export const PURPOSE_NAMES: Readonly<Record<string, string>> = {
  TREAT: 'treatment',
  ETREAT: 'emergency treatment',
  BTG: 'break the glass',
  CAREMGT: 'care management',
  HOPERAT: 'healthcare operations',
  HSYSADMIN: 'system administration',
  HQUALIMP: 'quality improvement',
  PATSFTY: 'patient safety',
  HRESCH: 'healthcare research',
  CLINTRCH: 'clinical trial research',
  PUBHLTH: 'public health',
  POPHLTH: 'population health',
  HPAYMT: 'healthcare payment',
  COVERAGE: 'coverage under policy',
  HLEGAL: 'legal',
  HCOMPL: 'compliance',
  HACCRED: 'accreditation',
  PATRQT: "patient's request",
  FAMRQT: "family member's request",
  TRAIN: 'training',
  SYSDEV: 'system development',
  AUDIT: 'audit',
};

/** A code with its plain name beside it, when it has one. */
export function Code({ code, names }: { code: string; names: Readonly<Record<string, string>> }) {
  const name = names[code];
  return (
    <>
      <span className="mono">{code}</span>
      {name && <span className="muted"> {name}</span>}
    </>
  );
}
