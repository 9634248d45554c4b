import { specFor } from '../testing/given-when-then';
import { SYSTEM, cmd, deployed, run } from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';

const given = specFor(aiSystemDecider());

describe('recording an audit', () => {
  it('records the scope, the findings and the auditor', () =>
    given(...deployed())
      .when(cmd.audit())
      .then([
        {
          type: 'AuditRecorded',
          data: {
            systemId: SYSTEM,
            auditId: 'audit-2025-q1',
            scope: 'Deployment gates and monitoring, Q1',
            findings: [{ severity: 'minor', description: 'Cadence missed once' }],
            auditor: 'auditor.ann',
          },
        },
      ]));

  it('records a clean audit with no findings', () =>
    given(...deployed())
      .when(cmd.audit({ findings: [] }))
      .then([expect.objectContaining({ data: expect.objectContaining({ findings: [] }) })]));

  it('refuses a repeated audit id', () =>
    given(...run([cmd.audit()], deployed()))
      .when(cmd.audit())
      .thenThrows('ALREADY_EXISTS', 'auditId'));

  it('refuses a finding without a known severity, naming it', () =>
    given(...deployed())
      .when(
        cmd.audit({
          findings: [
            { severity: 'minor', description: 'ok' },
            { severity: 'dire' as never, description: 'Bad' },
          ],
        }),
      )
      .thenThrows('VALIDATION_FAILED', 'findings.1.severity'));

  it('refuses a blank scope', () =>
    given(...deployed())
      .when(cmd.audit({ scope: '' }))
      .thenThrows('VALIDATION_FAILED', 'scope'));
});
