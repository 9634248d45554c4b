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
  const stray = strayElementIn(resource, path);
  if (stray) return [issue('invalid', stray.at, stray.message)];
  return r4Errors(resource)
    .filter((i) => !dismissed(i))
    .map((i) => ({
      ...i,
      expression: (i.expression ?? []).map((e) => e.replace(new RegExp(`^${resourceType}`), path)),
    }));
}

/**
 * The first element of a parsed resource that the R4 validator cannot be
 * trusted to refuse, if any. An empty one ("", {} or []): the validator takes
 * it for an absent element, so `entity: {}` would reach a mapping as an
 * object. One named like a member of every JavaScript object (`valueOf`,
 * `toString`): no FHIR element is, and the validator calls such a member of
 * an object sent where a primitive belongs, `id: { "valueOf": null }`, and
 * fails with a TypeError rather than an issue.
 */
function strayElementIn(resource: object, path: string): { at: string; message: string } | undefined {
  const pending: Array<[unknown, string]> = [[resource, path]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, at] = next;
    if (value === '') return { at, message: EMPTY };
    if (Array.isArray(value)) {
      if (value.length === 0) return { at, message: EMPTY };
      value.forEach((item, i) => pending.push([item, `${at}[${i}]`]));
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 0) return { at, message: EMPTY };
      for (const [key, item] of entries) {
        if (key in Object.prototype)
          return { at: `${at}.${key}`, message: `${key} is not an element of any FHIR resource` };
        pending.push([item, `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

const EMPTY = 'FHIR elements are never empty (no "", {} or []): leave the element out or give it a value';
