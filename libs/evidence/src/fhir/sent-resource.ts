import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { illFormedInput } from '@ledger/domain';
import { r4Errors } from './r4-validator';

export const issue = (
  code: OperationOutcomeIssue['code'],
  expression: string,
  diagnostics: string,
): OperationOutcomeIssue => ({ severity: 'error', code, expression: [expression], diagnostics });

/**
 * What every resource an emitter sends must pass before it is mapped, in this
 * order: the resource type it was sent as, no text a store cannot hold (a lone
 * surrogate, a control character), no empty element, then the FHIR R4
 * structure. Each problem is an issue naming its element under `path`;
 * `dismissed` drops a validator issue known to be wrong for the type.
 */
export function sentResourceIssues(
  resource: unknown,
  resourceType: string,
  path: string,
  dismissed: (issue: OperationOutcomeIssue) => boolean = () => false,
): OperationOutcomeIssue[] {
  if (
    resource === null ||
    typeof resource !== 'object' ||
    (resource as { resourceType?: unknown }).resourceType !== resourceType
  )
    return [
      issue(
        'invalid',
        `${path}.resourceType`,
        `expected ${/^[AEIOU]/.test(resourceType) ? 'an' : 'a'} ${resourceType} resource (resourceType "${resourceType}")`,
      ),
    ];
  const illFormed = illFormedInput(resource, path);
  if (illFormed) return [issue('invalid', illFormed.field, illFormed.message)];
  // The R4 validator takes "", {} and [] for an absent element, so `entity: {}` would reach a mapping as an object.
  const empty = emptyElementIn(resource, path);
  if (empty)
    return [
      issue(
        'invalid',
        empty,
        'FHIR elements are never empty (no "", {} or []): leave the element out or give it a value',
      ),
    ];
  return r4Errors(resource)
    .filter((i) => !dismissed(i))
    .map((i) => ({
      ...i,
      expression: (i.expression ?? []).map((e) => e.replace(new RegExp(`^${resourceType}`), path)),
    }));
}

/** The path of the first empty element ("", {} or []) in a parsed resource, if any. */
function emptyElementIn(resource: object, path: string): string | undefined {
  const pending: Array<[unknown, string]> = [[resource, path]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, at] = next;
    if (value === '') return at;
    if (Array.isArray(value)) {
      if (value.length === 0) return at;
      value.forEach((item, i) => pending.push([item, `${at}[${i}]`]));
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 0) return at;
      for (const [key, item] of entries) pending.push([item, `${at}.${key}`]);
    }
  }
  return undefined;
}
