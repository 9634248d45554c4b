import { GRAPHQL_POLICY, HTTP_POLICY, ROLES, type Access } from './policy';

const cell = (access: Access, role: string) =>
  access === 'public' ? 'public' : (access as readonly string[]).includes(role) ? 'yes' : '—';

/** The policy table as docs/security.md shows it; a test keeps that file equal to this. */
export function policyMarkdown(): string {
  const header = `| operation | ${ROLES.join(' | ')} |\n|---|${ROLES.map(() => '---').join('|')}|`;
  const rows = [
    ...Object.entries(HTTP_POLICY).map(
      ([op, access]) => `| \`${op}\` | ${ROLES.map((r) => cell(access, r)).join(' | ')} |`,
    ),
    ...Object.entries(GRAPHQL_POLICY).map(
      ([op, access]) => `| GraphQL \`${op}\` | ${ROLES.map((r) => cell(access, r)).join(' | ')} |`,
    ),
  ];
  return [header, ...rows].join('\n');
}
