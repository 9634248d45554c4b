import { DomainError, type DomainErrorCode } from '../shared/domain-error';
import type { AiSystemRecord } from './state';
import type { AccountabilityRole } from './vocabulary';

/** Roles whose holder checks the people who build the model: its authors may not hold them. */
export const ROLES_AUTHORS_MAY_NOT_HOLD: readonly AccountabilityRole[] = [
  'TAKEDOWN_AUTHORITY',
  'BIAS_DRIFT_MONITOR',
];

/** Roles that check each other: one person may not hold both of a pair. */
export const INCOMPATIBLE_ROLES: ReadonlyArray<readonly [AccountabilityRole, AccountabilityRole]> = [
  ['TAKEDOWN_AUTHORITY', 'SECURITY_OFFICER'],
];

export interface SeparationOfDuty {
  /** What is done. */
  duty: string;
  /** Who may never do it. */
  never: string;
}

/**
 * The separation-of-duties matrix: for each duty, who may never perform it,
 * keyed by the code a refusal carries. Deciders refuse through
 * `separationRefused`, so every refusal quotes its row, and docs/graphql.md's
 * table is generated from this one (`separationOfDutiesMarkdown`).
 * "Author" means a version's developer or the person who registered it.
 */
export const SEPARATION_OF_DUTIES = {
  SELF_ASSIGNMENT: {
    duty: 'assigning an accountability role, or registering a monitoring source',
    never: 'the person assigned or the service registered',
  },
  AUTHOR_HOLDS_CONFLICTING_ROLE: {
    duty: `holding ${ROLES_AUTHORS_MAY_NOT_HOLD.join(' or ')}`,
    never:
      'an author of the live version or of any candidate: any version of the system, since any may go live by deployment or rollback',
  },
  CONFLICTING_ROLES: {
    duty: `holding ${INCOMPATIBLE_ROLES.map((pair) => pair.join(' and ')).join('; or ')} together`,
    never: 'one person: an emergency takedown and its ratification are always two people',
  },
  VALIDATOR_IS_DEVELOPER: {
    duty: 'planning or recording the validation of a version',
    never: 'an author of that version',
  },
  VALIDATION_DATASET_APPROVED_BY_AUTHOR: {
    duty: 'approving, for validation, the dataset a version is validated on',
    never: 'an author of that version alone: someone else must have approved it',
  },
  REVIEWER_IS_DEVELOPER: {
    duty: 'approving the deployment of a version, for any discipline',
    never: 'an author of that version or of the live version',
  },
  REVIEWER_ALREADY_APPROVED: {
    duty: 'approving a version for a second discipline',
    never: 'a reviewer who already approved it for another',
  },
  DECIDER_IS_AUTHOR: {
    duty: 'rolling a system back to a version',
    never: 'an author of that version',
  },
  RATIFIER_IS_DECIDER: {
    duty: "ratifying a security officer's emergency takedown",
    never: 'the person who decided it',
  },
  RATIFIER_IS_AUTHOR: {
    duty: "ratifying a security officer's emergency takedown",
    never: 'an author of a version it took down or rolled back to',
  },
  VERIFIER_IS_OWNER: {
    duty: 'verifying the closure of an audit finding',
    never: 'its owner, who resolved it, in any spelling of their id',
  },
  RELEASER_IS_PLACER: {
    duty: 'releasing a legal hold',
    never:
      'the person who placed it, in any spelling of their id (and never a data protection officer: the role is refused)',
  },
} as const satisfies Partial<Record<DomainErrorCode, SeparationOfDuty>>;

export type SeparationOfDutyCode = keyof typeof SEPARATION_OF_DUTIES;

/** A refusal that names its row of the matrix, what broke it and what would make it right. */
export function separationRefused(code: SeparationOfDutyCode, what: string, fix: string): DomainError {
  const { duty, never } = SEPARATION_OF_DUTIES[code];
  return new DomainError(code, `separation of duties: ${duty} is never done by ${never}. ${what}; ${fix}`);
}

/** The matrix as docs/graphql.md shows it; a spec keeps that file equal to this. */
export function separationOfDutiesMarkdown(): string {
  const rows = Object.entries(SEPARATION_OF_DUTIES).map(
    ([code, { duty, never }]) => `| ${capitalised(duty)} | ${never} | \`${code}\` |`,
  );
  return ['| duty | never done by | refused with |', '|---|---|---|', ...rows].join('\n');
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export const authorsOf = (system: AiSystemRecord, version: string | undefined): string[] =>
  system.versions.find((v) => v.version === version)?.authors ?? [];

/**
 * The people kept out of the roles that check versions: the authors of the
 * live one and of every candidate. Any registered version is a candidate: a
 * new one may be deployed and an earlier one rolled back to, and a set that
 * only grows keeps the rule checked where it can be broken, at assignment and
 * at registration.
 */
export function versionAuthors(system: AiSystemRecord): Set<string> {
  return new Set(system.versions.flatMap((v) => v.authors));
}
