import { startLoggedService } from '../support/child-process';

const RAW = 'MRN-QUERYSTRING-4411-SENTINEL';
const RAW_VARIABLE = 'MRN-VARIABLE-5522-SENTINEL';

describe('logs and query strings', () => {
  it('a raw id in a GET /graphql query string or its variables reaches no log line, even at trace', async () => {
    const service = await startLoggedService('ledger-querystring-');
    const { url, issuer } = service;
    try {
      const auditor = await issuer.issue({ id: 'auditor.amy', role: 'auditor', tenantId: 'default' }, 600);
      const query = `query Lookup($p: String!) { dataAccess(filter: { patientId: $p }) { edges { node { patientPseudonym } } } a: dataAccess(filter: { patientId: "${RAW}" }) { edges { node { patientPseudonym } } } }`;
      const get = (headers: Record<string, string>) =>
        fetch(
          `${url}/graphql?${new URLSearchParams({ query, variables: JSON.stringify({ p: RAW_VARIABLE }) })}`,
          { headers },
        );
      // Authenticated and not: the refusal is logged as well as the answer.
      for (const response of [await get({ authorization: `Bearer ${auditor}` }), await get({})])
        await response.arrayBuffer();
      await fetch(`${url}/v1/proofs/inclusion?eventId=${RAW}`, {
        headers: { authorization: `Bearer ${auditor}` },
      });
      // FHIR AuditEvent search takes the raw patient id in its query string, as ITI-81 sends it.
      await (
        await fetch(`${url}/fhir/AuditEvent?patient=${RAW}`, {
          headers: { authorization: `Bearer ${auditor}` },
        })
      ).arrayBuffer();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await service.stop();
      service.remove();
    }
    const logs = service.logs();
    // The requests were logged, by path.
    expect(logs).toContain('"path":"/graphql"');
    expect(logs).toContain('"path":"/v1/proofs/inclusion"');
    expect(logs).toContain('"path":"/fhir/AuditEvent"');
    expect(logs.includes(RAW)).toBe(false);
    expect(logs.includes(RAW_VARIABLE)).toBe(false);
  }, 120_000);
});
