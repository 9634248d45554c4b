import { specFor } from '../testing/given-when-then';
import { ADMIN, SYSTEM, cmd, day, meta, run } from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';

const given = specFor(aiSystemDecider());

describe('registering an AI system', () => {
  it('records the system as proposed with its intended use, clinical domain, risk class, supplier and sites', () =>
    given()
      .when(cmd.register())
      .then([
        {
          type: 'AiSystemRegistered',
          data: {
            systemId: SYSTEM,
            name: 'Sepsis Watch',
            intendedUse: 'Early warning of sepsis for adult inpatients',
            clinicalDomain: 'sepsis',
            riskClass: 'high',
            supplier: 'in-house',
            sites: ['north', 'south'],
          },
        },
      ]));

  it('names the vendor of a vendor-supplied system', () =>
    given()
      .when(cmd.register({ supplier: 'vendor', vendorName: 'Acme Clinical AI' }))
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ supplier: 'vendor', vendorName: 'Acme Clinical AI' }),
        }),
      ]));

  it('refuses a vendor-supplied system without a vendor name', () =>
    given()
      .when(cmd.register({ supplier: 'vendor' }))
      .thenThrows('VALIDATION_FAILED', 'vendorName'));

  it('refuses a vendor name on an in-house system', () =>
    given()
      .when(cmd.register({ vendorName: 'Acme Clinical AI' }))
      .thenThrows('VALIDATION_FAILED', 'vendorName'));

  it('refuses a second registration of the same system', () =>
    given(...run([cmd.register()]))
      .when(cmd.register())
      .thenThrows('ALREADY_EXISTS', 'systemId'));

  it.each([
    ['no sites', { sites: [] }, 'sites'],
    ['a duplicated site', { sites: ['north', 'north'] }, 'sites'],
    ['an unknown risk class', { riskClass: 'extreme' as never }, 'riskClass'],
    ['a blank name', { name: '   ' }, 'name'],
    ['an id that would break the stream name', { systemId: 'tenant/other' }, 'systemId'],
  ])('refuses %s, naming the field and what would make it right', (_, override, field) => {
    const error = given().when(cmd.register(override)).rejection();
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    expect(error.details?.problems).toEqual([
      expect.objectContaining({ field: `/${field}`, message: expect.stringContaining('give') }),
    ]);
  });

  it('refuses any other command on a system that was never registered', () =>
    given().when(cmd.assign('CLINICAL_LEAD')).thenThrows('NOT_FOUND', 'systemId'));
});

describe('command metadata', () => {
  it('refuses a command without an actor', () =>
    given()
      .when(cmd.register({ meta: meta(' ') }))
      .thenThrows('VALIDATION_FAILED', 'meta.actor'));

  it.each(['2025-03-03T09:00:00', '2025-02-30T09:00:00Z', '2025-03-03T24:00:00Z', '03/03/2025', 'yesterday'])(
    'refuses a decision time %p that is not an RFC 3339 instant with a zone',
    (at) =>
      given()
        .when(cmd.register({ meta: { actor: ADMIN, at } }))
        .thenThrows('VALIDATION_FAILED', 'meta.at'),
  );

  it('accepts instants in any zone offset', () =>
    given()
      .when(cmd.register({ meta: meta(ADMIN, day(0).replace('Z', '+00:00')) }))
      .then([expect.objectContaining({ type: 'AiSystemRegistered' })]));
});
